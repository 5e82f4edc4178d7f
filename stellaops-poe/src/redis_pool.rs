//! Pooled connections to one Redis, shared by the quota store and the DPoP replay store.

use std::sync::Mutex;
use std::time::Duration;

use crate::{Error, Result};

/// Pooled connections to one Redis, each network operation bounded by a timeout; shared by the
/// quota store and the replay store.
pub(crate) struct RedisPool {
    client: redis::Client,
    pub(crate) timeout: Duration,
    idle: Mutex<Vec<redis::Connection>>,
}

impl RedisPool {
    /// A pool for `url`; no connection is made until the first use.
    pub(crate) fn new(url: &str, timeout: Duration) -> Result<Self> {
        let client = redis::Client::open(url).map_err(|e| Error::config_from("redis url", e))?;
        Ok(RedisPool {
            client,
            timeout,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Run `f` on a pooled connection; a connection that fails is dropped, not pooled again.
    pub(crate) fn with_connection<T>(
        &self,
        f: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> redis::RedisResult<T> {
        let pooled = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut con = match pooled {
            Some(c) => c,
            None => {
                let c = self.client.get_connection_with_timeout(self.timeout)?;
                c.set_read_timeout(Some(self.timeout))?;
                c.set_write_timeout(Some(self.timeout))?;
                c
            }
        };
        let result = f(&mut con);
        if result.is_ok() {
            self.idle
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(con);
        }
        result
    }
}
