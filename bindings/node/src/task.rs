//! Work for libuv's thread pool whose result (or library error) resolves on the main thread.

use napi::bindgen_prelude::*;

use crate::errors::{js, Failure};

/// Work for the thread pool, resolved on the main thread.
pub struct Job<T: Send + 'static>(
    Option<Box<dyn FnOnce() -> std::result::Result<T, Failure> + Send>>,
);

impl<T: Send + 'static> Job<T> {
    pub(crate) fn new(
        work: impl FnOnce() -> std::result::Result<T, Failure> + Send + 'static,
    ) -> Self {
        Job(Some(Box::new(work)))
    }
}

impl<T: ToNapiValue + TypeName + Send + 'static> Task for Job<T> {
    type Output = std::result::Result<T, Failure>;
    type JsValue = T;

    fn compute(&mut self) -> Result<Self::Output> {
        let work = self
            .0
            .take()
            .ok_or_else(|| Error::new(Status::GenericFailure, "task ran twice"))?;
        Ok(work())
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<T> {
        js(&env, output)
    }
}
