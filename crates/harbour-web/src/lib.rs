//! harbour-web
