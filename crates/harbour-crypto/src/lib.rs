//! harbour-crypto
