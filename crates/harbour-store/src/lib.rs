//! harbour-store
