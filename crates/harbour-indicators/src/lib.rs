//! harbour-indicators
