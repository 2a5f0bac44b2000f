//! Server-rendered HTML pages for every role (issue 4). Routes are merged into the main router.

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
