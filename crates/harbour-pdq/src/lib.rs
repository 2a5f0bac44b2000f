//! harbour-pdq
