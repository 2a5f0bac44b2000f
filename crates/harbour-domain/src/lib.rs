//! harbour-domain
