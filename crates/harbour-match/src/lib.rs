//! harbour-match
