//! harbour-service
