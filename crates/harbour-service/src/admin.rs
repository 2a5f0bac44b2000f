//! Administration use cases (organisations and users) for the pages and the API.
