//! The shared storage story, on a fresh SQLite file.

use harbour_store::Store;
use harbour_store_sqlite::SqliteStore;

#[tokio::test]
async fn sqlite_passes_the_storage_story() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("story.db").display());
    let store = SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    harbour_store::story::run(&store).await;
}
