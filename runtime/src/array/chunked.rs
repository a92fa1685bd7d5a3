//! Lazy labeled arrays: `.chunk(...)` to make data lazy, `.compute()` and `.persist()`
//! to run the plan, `.chunks()` to see how it is cut.

use std::sync::Arc;

use super::DType;
use super::data::Data;
use super::data_array::DataArray;
use super::dataset::Dataset;
use super::variable::Variable;
use crate::Error;
use crate::compute::{self, Distribution, Lazy, Random, Watch};

impl DataArray {
    /// The same array with its data cut into chunks of `sizes` along the dimensions
    /// given (others keep their chunks, or stay whole): from here on, operations build
    /// a plan instead of computing, like xarray's `chunk` with dask. A size of 0 means
    /// the whole dimension.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["time", "lat"], ndarray::Array2::<f64>::zeros((365, 4)))?
    ///     .chunk([("time", 100)])?;
    /// assert_eq!(air.chunks(), Some(vec![vec![100, 100, 100, 65], vec![4]]));
    /// let warmer = &air + 1.0;
    /// assert!(warmer.is_lazy());
    /// assert_eq!(warmer.compute()?.values::<f64>()?.sum(), 365.0 * 4.0);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn chunk<'a>(
        &self,
        sizes: impl IntoIterator<Item = (&'a str, usize)>,
    ) -> Result<Self, Error> {
        Ok(self.with_variable(self.variable().chunk(sizes)?))
    }

    /// A lazy array of `sizes` drawn uniformly from `[0, 1)`, cut into chunks of
    /// `chunks` along the dimensions given (the others whole): dask's
    /// `da.random.random`, for trying a plan at a scale larger than memory. Each value
    /// depends only on `seed` and its position, so any chunking gives the same array.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let x = DataArray::random([("y", 4_000), ("x", 3_000)], [("y", 1_000)], 0)?;
    /// assert_eq!(x.chunks(), Some(vec![vec![1_000; 4], vec![3_000]]));
    /// let same = DataArray::random([("y", 4_000), ("x", 3_000)], [("x", 500)], 0)?;
    /// let (a, b) = (x.mean(..)?.item::<f64>()?, same.mean(..)?.item::<f64>()?);
    /// assert!(a == b && (a - 0.5).abs() < 1e-3);
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    pub fn random<'a>(
        sizes: impl IntoIterator<Item = (&'a str, usize)>,
        chunks: impl IntoIterator<Item = (&'a str, usize)>,
        seed: u64,
    ) -> Result<Self, Error> {
        let (dims, shape): (Vec<&str>, Vec<usize>) = sizes.into_iter().unzip();
        let mut chunk_shape = vec![0; dims.len()];
        for (dim, size) in chunks {
            let axis = dims
                .iter()
                .position(|d| *d == dim)
                .ok_or_else(|| Error::Dimension {
                    dim: dim.to_owned(),
                    dims: dims.iter().map(|d| (*d).to_owned()).collect(),
                })?;
            chunk_shape[axis] = size;
        }
        let field = Random::new(
            &shape,
            &chunk_shape,
            DType::Float64,
            Distribution::Uniform,
            seed,
        );
        Self::new(dims, Lazy::from_source(Arc::new(field)))
    }

    /// Whether the data is lazy.
    #[must_use]
    pub fn is_lazy(&self) -> bool {
        self.variable().lazy().is_some()
    }

    /// The chunk lengths along each dimension (dask's `chunks`), when lazy.
    #[must_use]
    pub fn chunks(&self) -> Option<Vec<Vec<usize>>> {
        self.variable()
            .lazy()
            .map(|l| l.chunks().lengths().to_vec())
    }

    /// The same array with its values computed into memory (xarray's `compute`): the
    /// plan runs on the kernel's thread pool within the memory budget, with a progress
    /// bar when it takes a while.
    pub fn compute(&self) -> Result<Self, Error> {
        Ok(self.with_variable(self.variable().compute()?))
    }

    /// The same array with its chunks computed and kept in memory, still lazy
    /// (xarray's `persist`): later computations start from them.
    pub fn persist(&self) -> Result<Self, Error> {
        let Some(lazy) = self.variable().lazy() else {
            return Ok(self.clone());
        };
        let kept = lazy.persist()?;
        Ok(self.with_variable(self.variable().with_data(self.dims().to_vec(), kept)))
    }
}

impl Dataset {
    /// The same dataset with every data variable cut into chunks of `sizes` along the
    /// dimensions it has (see [`DataArray::chunk`]).
    pub fn chunk<'a>(
        &self,
        sizes: impl IntoIterator<Item = (&'a str, usize)>,
    ) -> Result<Self, Error> {
        let sizes: Vec<(&str, usize)> = sizes.into_iter().collect();
        self.map_variables(|v| {
            let own: Vec<(&str, usize)> = sizes
                .iter()
                .copied()
                .filter(|(d, _)| v.dims().iter().any(|x| x == d))
                .collect();
            v.chunk(own)
        })
    }

    /// The same dataset with every lazy variable computed, in one plan: what variables
    /// share (a common input, a common reduction) is computed once.
    pub fn compute(&self) -> Result<Self, Error> {
        let values = compute::compute(&self.lazy_variables(), &mut Watch::new("dataset"))?;
        self.with_lazy_replaced(values.into_iter().map(Data::from))
    }

    /// The same dataset with every lazy variable's chunks computed and kept in memory.
    pub fn persist(&self) -> Result<Self, Error> {
        let kept = compute::persist(&self.lazy_variables(), &mut Watch::new("dataset"))?;
        self.with_lazy_replaced(kept.into_iter().map(Data::from))
    }

    /// The plans of the lazy data variables, in order.
    fn lazy_variables(&self) -> Vec<Lazy> {
        self.data_vars()
            .filter_map(|name| self.data_var(name)?.lazy().cloned())
            .collect()
    }

    /// The lazy data variables' data replaced by `data`, one each in order.
    fn with_lazy_replaced(&self, mut data: impl Iterator<Item = Data>) -> Result<Self, Error> {
        self.map_variables(|v| {
            Ok(match v.lazy() {
                Some(_) => v.with_data(v.dims().to_vec(), data.next().expect("one each")),
                None => v.clone(),
            })
        })
    }
}

impl Variable {
    /// The same variable with its chunks computed and kept in memory, when lazy.
    pub fn persist(&self) -> Result<Self, Error> {
        match self.lazy() {
            Some(lazy) => Ok(self.with_data(self.dims().to_vec(), lazy.persist()?)),
            None => Ok(self.clone()),
        }
    }
}
