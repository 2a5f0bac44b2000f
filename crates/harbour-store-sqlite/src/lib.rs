//! harbour-store-sqlite
