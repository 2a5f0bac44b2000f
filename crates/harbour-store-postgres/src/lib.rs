//! harbour-store-postgres
