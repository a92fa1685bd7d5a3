//! What the integration tests share: reference data and the shared test data, value
//! comparisons, files, the servers tests start on 127.0.0.1, and generated chains.

pub(crate) mod chains;
pub(crate) mod described;
pub(crate) mod files;
pub(crate) mod npy;
pub(crate) mod servers;
pub(crate) mod shared;
pub(crate) mod values;
