//! Lazy arrays: nodes of a plan. Building one checks shapes and infers the result type
//! (by running the step on one element, with the eager code), so errors show at the
//! line that made the mistake, and nothing is read until the plan runs.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use super::chunks::{Chunks, split};
use super::elementwise::Elementwise;
use super::groups::{Grouped, Groups};
use super::partial::{self, is_tree};
use super::source::{ChunkSource, InMemory};
use crate::Error;
use crate::array::{DType, Reduction, Values, python_tuple};

/// How many chunks one task of a tree reduction combines.
const FAN_IN: usize = 8;

/// A lazy, chunked array: a plan that computes it, chunk by chunk, when asked.
///
/// It is the lazy form of a variable's data (`Data::Lazy`), made by `.chunk(...)` or by
/// opening a store; every operation on it adds a step to the plan instead of computing.
///
/// ```
/// use rangeo::prelude::*;
/// let air = DataArray::new(["time", "x"], ndarray::Array2::from_elem((6, 4), 2.0))?
///     .chunk([("time", 4)])?;
/// let lazy = air.data().lazy().expect("chunked");
/// assert_eq!(lazy.chunks().dim(0), &[4, 2]);
/// assert_eq!(air.mean("time")?.compute()?.to_vec::<f64>()?, [2.0; 4]);
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Clone)]
pub struct Lazy(pub(crate) Arc<Node>);

/// One step of a plan: its result's shape, chunks and element type, and how it is made.
pub(crate) struct Node {
    /// Equal for steps that compute the same thing from the same sources, so a plan
    /// computes shared steps once.
    pub(crate) key: u64,
    /// The step's name in reprs, progress bars and errors.
    pub(crate) name: String,
    pub(crate) shape: Vec<usize>,
    pub(crate) chunks: Chunks,
    /// One element of the result's type (for reductions' partial steps, the input's).
    pub(crate) meta: Values,
    pub(crate) op: Op,
}

/// How a step makes each chunk of its result.
pub(crate) enum Op {
    /// Reads the chunk from a source.
    Source(Arc<dyn ChunkSource>),
    /// The same chunk of each input (length-1 axes broadcast), combined element by element.
    Map { op: Elementwise, inputs: Vec<Lazy> },
    /// The input's chunk with axes moved, added (length 1, `None`) or dropped (those of
    /// length 1 not listed).
    Arrange {
        input: Lazy,
        axes: Vec<Option<usize>>,
    },
    /// Positions of one axis (all of them when `None`, to rechunk), cut as this step's
    /// chunks; a missing position gives a missing value.
    Gather {
        input: Lazy,
        axis: usize,
        positions: Option<Arc<[Option<usize>]>>,
    },
    /// The inputs one after another along `axis`, chunk for chunk.
    Concat { inputs: Vec<Lazy>, axis: usize },
    /// A reduction's partial result over each input chunk: reduced axes kept with
    /// length 1, or, by `groups`, the one reduced axis with one position per group.
    Partial {
        input: Lazy,
        how: Reduction,
        axes: Vec<usize>,
        skipna: bool,
        groups: Option<Grouped>,
    },
    /// Partial results of neighbouring chunks along `axis` combined, chunk `j` from
    /// chunks `members[j]` (by `groups`, each carrying the groups of its positions).
    Combine {
        input: Lazy,
        how: Reduction,
        axis: usize,
        members: Arc<[Range<usize>]>,
        skipna: bool,
        groups: Option<Grouped>,
    },
    /// The reduction's result from the partial result over everything (grouped when
    /// `input` is: then the groups stay along the reduced axis).
    Finish {
        input: Lazy,
        how: Reduction,
        axes: Vec<usize>,
        dtype: DType,
    },
}

impl Op {
    /// The steps this one reads.
    pub(crate) fn inputs(&self) -> Vec<&Lazy> {
        match self {
            Self::Source(_) => Vec::new(),
            Self::Map { inputs, .. } | Self::Concat { inputs, .. } => inputs.iter().collect(),
            Self::Arrange { input, .. }
            | Self::Gather { input, .. }
            | Self::Partial { input, .. }
            | Self::Combine { input, .. }
            | Self::Finish { input, .. } => vec![input],
        }
    }
}

impl Lazy {
    fn new(name: String, shape: Vec<usize>, chunks: Chunks, meta: Values, op: Op) -> Self {
        let mut hasher = DefaultHasher::new();
        match &op {
            Op::Source(source) => match source.fingerprint() {
                Some(fingerprint) => ("constant", fingerprint).hash(&mut hasher),
                None => ("source", Arc::as_ptr(source).cast::<()>() as usize).hash(&mut hasher),
            },
            Op::Map { op, .. } => op.hash(&mut hasher),
            Op::Arrange { axes, .. } => axes.hash(&mut hasher),
            Op::Gather {
                axis, positions, ..
            } => (axis, positions).hash(&mut hasher),
            Op::Concat { axis, .. } => ("concat", axis).hash(&mut hasher),
            Op::Partial {
                how,
                axes,
                skipna,
                groups,
                ..
            } => {
                format!("partial {how:?} {axes:?} {skipna}").hash(&mut hasher);
                groups.as_ref().map(|g| &g.groups).hash(&mut hasher);
            }
            Op::Combine {
                how,
                axis,
                members,
                skipna,
                groups,
                ..
            } => {
                let grouped = groups.is_some();
                format!("combine {how:?} {axis} {skipna} {grouped}").hash(&mut hasher);
                members.hash(&mut hasher);
            }
            Op::Finish { how, axes, .. } => format!("finish {how:?} {axes:?}").hash(&mut hasher),
        }
        for input in op.inputs() {
            input.0.key.hash(&mut hasher);
        }
        (&shape, &chunks).hash(&mut hasher);
        Self(Arc::new(Node {
            key: hasher.finish(),
            name,
            shape,
            chunks,
            meta,
            op,
        }))
    }

    /// Data read from `source`, chunk by chunk, in the source's own chunks.
    #[must_use]
    pub fn from_source(source: Arc<dyn ChunkSource>) -> Self {
        Self::new(
            source.name().to_owned(),
            source.shape().to_vec(),
            source.chunks().clone(),
            source.meta(),
            Op::Source(source),
        )
    }

    /// In-memory `values` served in `chunks`.
    pub fn from_values(values: Values, chunks: Chunks) -> Result<Self, Error> {
        Ok(Self::from_source(Arc::new(InMemory::new(
            Arc::new(values),
            chunks,
        )?)))
    }

    /// The shape of the whole array.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        &self.0.shape
    }

    /// The element type.
    #[must_use]
    pub fn dtype(&self) -> DType {
        self.0.meta.dtype()
    }

    /// How the array is cut into chunks.
    #[must_use]
    pub fn chunks(&self) -> &Chunks {
        &self.0.chunks
    }

    /// The name of the step that makes it (`"mean"`, `"add"`, a source's name).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The source, when this is a bare read of one (in its own chunks).
    pub(crate) fn source(&self) -> Option<&Arc<dyn ChunkSource>> {
        match &self.0.op {
            Op::Source(source) => Some(source),
            _ => None,
        }
    }

    pub(crate) fn meta(&self) -> &Values {
        &self.0.meta
    }

    /// The groups of a grouped reduction's partial step (`None` for other steps).
    pub(crate) fn grouped(&self) -> Option<&Grouped> {
        match &self.0.op {
            Op::Partial { groups, .. } | Op::Combine { groups, .. } => groups.as_ref(),
            _ => None,
        }
    }

    pub(crate) fn ndim(&self) -> usize {
        self.0.shape.len()
    }

    /// The number of tasks a scheduler without fusion would run: one per chunk of every
    /// distinct step (what dask's graph holds before optimisation).
    #[must_use]
    pub fn unfused_tasks(&self) -> usize {
        let mut seen = HashMap::new();
        let mut stack = vec![self];
        while let Some(lazy) = stack.pop() {
            if seen.insert(lazy.0.key, lazy.0.chunks.len()).is_none() {
                stack.extend(lazy.0.op.inputs());
            }
        }
        seen.values().sum()
    }

    /// An element-by-element step over `inputs` (all of one rank; length-1 axes
    /// broadcast). Inputs cut differently along a shared axis are rechunked to the
    /// first one's chunks.
    pub(crate) fn map(op: Elementwise, inputs: &[Lazy]) -> Result<Self, Error> {
        debug_assert_eq!(inputs.len(), op.arity());
        let ndim = inputs[0].ndim();
        if inputs.iter().any(|i| i.ndim() != ndim) {
            return Err(Error::Shape(format!(
                "{} needs inputs of one rank, got shapes {:?}",
                op.name(),
                inputs.iter().map(Lazy::shape).collect::<Vec<_>>()
            )));
        }
        let mut shape = vec![1; ndim];
        let mut lengths: Vec<Vec<usize>> = vec![vec![1]; ndim];
        for input in inputs {
            for (axis, &len) in input.shape().iter().enumerate() {
                if len != 1 && shape[axis] == 1 {
                    shape[axis] = len;
                    lengths[axis] = input.chunks().dim(axis).to_vec();
                } else if len != 1 && len != shape[axis] {
                    return Err(Error::Shape(format!(
                        "cannot broadcast shapes {:?} in {}",
                        inputs.iter().map(Lazy::shape).collect::<Vec<_>>(),
                        op.name()
                    )));
                }
            }
        }
        let chunks = Chunks::from_lengths(&shape, lengths)?;
        let inputs = inputs
            .iter()
            .map(|input| {
                let mut input = input.clone();
                for (axis, &len) in shape.iter().enumerate() {
                    if input.shape()[axis] == len && input.chunks().dim(axis) != chunks.dim(axis) {
                        input = input.gather(axis, None, chunks.dim(axis));
                    }
                }
                input
            })
            .collect::<Vec<_>>();
        let meta = op.apply(inputs.iter().map(|i| Cow::Borrowed(i.meta())).collect())?;
        Ok(Self::new(
            op.name(),
            shape,
            chunks,
            meta,
            Op::Map { op, inputs },
        ))
    }

    /// The array with its axes rearranged: output axis `k` is input axis `axes[k]`, or
    /// a new axis of length 1 for `None`; input axes not listed must have length 1.
    pub(crate) fn arrange(&self, axes: Vec<Option<usize>>) -> Self {
        if axes.len() == self.ndim() && axes.iter().enumerate().all(|(i, a)| *a == Some(i)) {
            return self.clone();
        }
        let shape: Vec<usize> = axes
            .iter()
            .map(|a| a.map_or(1, |i| self.shape()[i]))
            .collect();
        let lengths = axes
            .iter()
            .map(|a| a.map_or(vec![1], |i| self.chunks().dim(i).to_vec()))
            .collect();
        let chunks = Chunks::from_lengths(&shape, lengths).expect("rearranged chunks");
        let meta = arrange_block(&self.0.meta, &axes, &vec![1; shape.len()]);
        Self::new(
            "transpose".into(),
            shape,
            chunks,
            meta,
            Op::Arrange {
                input: self.clone(),
                axes,
            },
        )
    }

    /// Positions of `axis` (all when `None`; `None` among them: a missing value), cut
    /// into chunks of `lengths`. Pushed below element-by-element steps (unless some
    /// positions are missing), so only what is selected is read and computed.
    pub(crate) fn gather(
        &self,
        axis: usize,
        positions: Option<&Arc<[Option<usize>]>>,
        lengths: &[usize],
    ) -> Self {
        self.gather_below(axis, positions, lengths, &mut HashMap::new())
    }

    /// [`gather`](Self::gather), pushed below element-by-element steps once per step
    /// (`pushed` holds what each step became, so a step that several others read is
    /// not rebuilt for each of them).
    fn gather_below(
        &self,
        axis: usize,
        positions: Option<&Arc<[Option<usize>]>>,
        lengths: &[usize],
        pushed: &mut HashMap<u64, Lazy>,
    ) -> Self {
        if positions.is_none() && self.chunks().dim(axis) == lengths {
            return self.clone();
        }
        if let Some(done) = pushed.get(&self.0.key) {
            return done.clone();
        }
        let missing = positions.is_some_and(|p| p.contains(&None));
        // Below an element-by-element step, missing positions would become the
        // step's result on missing inputs (a fill value, `false`, a cast), not missing.
        if let (false, Op::Map { op, inputs }) = (missing, &self.0.op) {
            let inputs: Vec<Lazy> = inputs
                .iter()
                .map(|input| {
                    if input.shape()[axis] == 1 && self.shape()[axis] != 1 {
                        input.clone()
                    } else {
                        input.gather_below(axis, positions, lengths, pushed)
                    }
                })
                .collect();
            let gathered = Self::map(op.clone(), &inputs).expect("the same step on fewer elements");
            pushed.insert(self.0.key, gathered.clone());
            return gathered;
        }
        if let Some(gathered) = self.gather_through(axis, positions, lengths, pushed) {
            pushed.insert(self.0.key, gathered.clone());
            return gathered;
        }
        let positions = positions.cloned();
        let lengths = lengths.to_vec();
        let mut shape = self.shape().to_vec();
        shape[axis] = lengths.iter().sum();
        let chunks = self.chunks().with_dim(axis, lengths);
        let meta = if missing {
            self.0.meta.take(axis, &[None])
        } else {
            self.0.meta.clone()
        };
        let name = if positions.is_some() {
            "getitem"
        } else {
            "rechunk"
        };
        Self::new(
            name.into(),
            shape,
            chunks,
            meta,
            Op::Gather {
                input: self.clone(),
                axis,
                positions,
            },
        )
    }

    /// [`gather`](Self::gather) moved below a transpose (onto the input axis it moves)
    /// or below a reduction (onto the input, when `axis` is not reduced): a selection
    /// after `mean("time")` then reads and reduces only the chunks it keeps, as dask
    /// culls them. `None` where it cannot move: a new length-1 axis, a reduction's
    /// groups, a rechunk after a reduction (moved below, it would change the
    /// reduction's tasks) or missing positions (a reduction of missing values is not a
    /// missing value: a sum is 0).
    fn gather_through(
        &self,
        axis: usize,
        positions: Option<&Arc<[Option<usize>]>>,
        lengths: &[usize],
        pushed: &mut HashMap<u64, Lazy>,
    ) -> Option<Self> {
        match &self.0.op {
            Op::Arrange { input, axes } => {
                let below = axes[axis]?;
                let gathered = input.gather_below(below, positions, lengths, pushed);
                Some(gathered.arrange(axes.clone()))
            }
            Op::Finish {
                input: tree, axes, ..
            } => {
                if positions?.contains(&None) {
                    return None;
                }
                let below = if tree.grouped().is_some() {
                    (!axes.contains(&axis)).then_some(axis)?
                } else {
                    (0..tree.ndim()).filter(|a| !axes.contains(a)).nth(axis)?
                };
                let mut step = tree;
                let (input, how, skipna, groups) = loop {
                    match &step.0.op {
                        Op::Combine { input, .. } => step = input,
                        Op::Partial {
                            input,
                            how,
                            skipna,
                            groups,
                            ..
                        } => {
                            break (
                                input,
                                *how,
                                *skipna,
                                groups.as_ref().map(|g| g.groups.clone()),
                            );
                        }
                        _ => return None,
                    }
                };
                let gathered = input.gather_below(below, positions, lengths, pushed);
                gathered.tree(how, axes, skipna, groups).ok()
            }
            _ => None,
        }
    }

    /// Positions `positions` of `axis` (`None`: a missing value). Ascending positions
    /// keep the input's chunk boundaries, so each output chunk reads one input chunk.
    pub(crate) fn select(&self, axis: usize, positions: Vec<Option<usize>>) -> Self {
        let ascending = positions
            .windows(2)
            .all(|w| matches!(w, [Some(a), Some(b)] if a < b))
            && positions.first().is_none_or(Option::is_some);
        let lengths = if ascending && !positions.is_empty() {
            let mut lengths = Vec::new();
            let mut current = None;
            for p in positions.iter().flatten() {
                let chunk = self.chunks().locate(axis, *p).0;
                if current == Some(chunk) {
                    *lengths.last_mut().expect("a run") += 1;
                } else {
                    lengths.push(1);
                    current = Some(chunk);
                }
            }
            lengths
        } else {
            let size = self.chunks().max_shape()[axis].max(1);
            split(positions.len(), size)
        };
        let identity = positions.len() == self.shape()[axis]
            && positions.iter().enumerate().all(|(i, p)| *p == Some(i));
        if identity {
            return self.clone();
        }
        self.gather(axis, Some(&positions.into()), &lengths)
    }

    /// The same array cut as `chunks`.
    pub(crate) fn rechunk(&self, chunks: &Chunks) -> Self {
        (0..self.ndim()).fold(self.clone(), |lazy, axis| {
            lazy.gather(axis, None, chunks.dim(axis))
        })
    }

    /// `parts` one after another along `axis`; other axes take the first part's chunks.
    pub(crate) fn concat(parts: &[Lazy], axis: usize) -> Result<Self, Error> {
        let first = &parts[0];
        let metas: Vec<&Values> = parts.iter().map(Lazy::meta).collect();
        let meta = Values::concat(&metas, axis)?;
        let meta = partial::reshape(&meta.select(axis, &[0]), &vec![1; first.ndim()])?;
        let mut shape = first.shape().to_vec();
        let mut lengths = first.chunks().lengths().to_vec();
        lengths[axis].clear();
        let mut inputs = Vec::with_capacity(parts.len());
        for part in parts {
            let mut part = part.clone();
            for d in (0..first.ndim()).filter(|&d| d != axis) {
                if part.shape()[d] != first.shape()[d] {
                    return Err(Error::Shape(format!(
                        "cannot concatenate shapes {:?} and {:?} along axis {axis}",
                        first.shape(),
                        part.shape()
                    )));
                }
                part = part.gather(d, None, first.chunks().dim(d));
            }
            lengths[axis].extend(part.chunks().dim(axis).iter().filter(|&&n| n > 0));
            inputs.push(part);
        }
        shape[axis] = parts.iter().map(|p| p.shape()[axis]).sum();
        if lengths[axis].is_empty() {
            lengths[axis].push(0);
        }
        let chunks = Chunks::from_lengths(&shape, lengths)?;
        Ok(Self::new(
            "concatenate".into(),
            shape,
            chunks,
            meta,
            Op::Concat { inputs, axis },
        ))
    }

    /// A reduction over `axes` (sorted, distinct): partial results per chunk combined in
    /// a tree of at most [`FAN_IN`] chunks per task; medians and quantiles first bring
    /// each output element's values into one chunk.
    pub(crate) fn reduce(
        &self,
        how: Reduction,
        axes: &[usize],
        skipna: bool,
    ) -> Result<Self, Error> {
        self.tree(how, axes, skipna, None)
    }

    /// A reduction over `axis` within each of `groups` (flox's map-reduce): every chunk
    /// gives a partial result per group, combined as a reduction tree, so each chunk is
    /// read once whatever the number of groups. Results lie along `axis`, one per group.
    /// `None` for reductions that do not split into partial results per group (medians,
    /// quantiles, positions), which take one reduction per group instead.
    pub(crate) fn reduce_groups(
        &self,
        how: Reduction,
        axis: usize,
        groups: Groups,
        skipna: bool,
    ) -> Result<Option<Self>, Error> {
        if !is_tree(how) || matches!(how, Reduction::ArgMin | Reduction::ArgMax) {
            return Ok(None);
        }
        self.tree(how, &[axis], skipna, Some(groups)).map(Some)
    }

    fn tree(
        &self,
        how: Reduction,
        axes: &[usize],
        skipna: bool,
        groups: Option<Groups>,
    ) -> Result<Self, Error> {
        let mut result_meta = self.0.meta.reduce(how, axes, skipna)?;
        if let Some(groups) = &groups
            && (0..groups.count).any(|g| !groups.of.contains(&g))
        {
            // A group without positions is missing: integer counts and sums become
            // floats, as eager results (and xarray's) do.
            let flat = partial::reshape(&result_meta, &[1])?.take(0, &[None]);
            result_meta = partial::reshape(&flat, result_meta.shape())?;
        }
        let mut input = self.clone();
        if !is_tree(how) {
            for &axis in axes {
                input = input.gather(axis, None, &[self.shape()[axis]]);
            }
        }
        // What one chunk reduces to along a reduced axis: one position, or the groups
        // present in it.
        let mut groups = groups.map(|g| Grouped::new(g, input.chunks().dim(axes[0])));
        let widths = |groups: &Option<Grouped>, chunks: usize| {
            groups
                .as_ref()
                .map_or_else(|| vec![1; chunks], Grouped::widths)
        };
        let mut lengths = input.chunks().lengths().to_vec();
        for &axis in axes {
            lengths[axis] = widths(&groups, lengths[axis].len());
        }
        let mut node = Self::partial_step(
            &input,
            lengths,
            Op::Partial {
                input: input.clone(),
                how,
                axes: axes.to_vec(),
                skipna,
                groups: groups.clone(),
            },
        );
        // Runs of chunks that combine on their own: one along each axis, or the cohorts
        // of the groups.
        let mut runs = groups.as_ref().map(Grouped::cohorts);
        while let Some(&axis) = axes
            .iter()
            .find(|&&a| node.chunks().dim(a).len() > runs.as_ref().map_or(1, Vec::len))
        {
            let chunks = node.chunks().dim(axis).len();
            let whole = 0..chunks;
            let (members, next) = combined(runs.as_deref().unwrap_or(std::slice::from_ref(&whole)));
            runs = runs.map(|_| next);
            groups = groups.map(|g| g.combined(&members));
            let lengths = node
                .chunks()
                .with_dim(axis, widths(&groups, members.len()))
                .lengths()
                .to_vec();
            node = Self::partial_step(
                &input,
                lengths,
                Op::Combine {
                    input: node.clone(),
                    how,
                    axis,
                    members: members.into(),
                    skipna,
                    groups: groups.clone(),
                },
            );
        }
        let grouped = groups.is_some();
        let kept = |a: &usize| grouped || !axes.contains(a);
        // Grouped: every group along the reduced axis, present or not, a chunk per run.
        let length = |a: usize| match &groups {
            Some(g) if a == axes[0] => g.groups.count,
            _ => node.shape()[a],
        };
        let shape: Vec<usize> = (0..self.ndim()).filter(kept).map(length).collect();
        let lengths = (0..self.ndim())
            .filter(kept)
            .map(|a| match &groups {
                Some(g) if a == axes[0] => g.results().iter().map(ExactSizeIterator::len).collect(),
                _ => node.chunks().dim(a).to_vec(),
            })
            .collect();
        let chunks = Chunks::from_lengths(&shape, lengths)?;
        let meta = partial::reshape(&result_meta, &vec![1; shape.len()])?;
        Ok(Self::new(
            how.name().into(),
            shape,
            chunks,
            meta,
            Op::Finish {
                input: node,
                how,
                axes: axes.to_vec(),
                dtype: self.dtype(),
            },
        ))
    }

    fn partial_step(input: &Lazy, lengths: Vec<Vec<usize>>, op: Op) -> Self {
        let shape: Vec<usize> = lengths.iter().map(|d| d.iter().sum()).collect();
        let chunks = Chunks::from_lengths(&shape, lengths).expect("partial chunks");
        let name = match &op {
            Op::Partial { how, .. } => format!("{}-chunk", how.name()),
            Op::Combine { how, .. } => format!("{}-combine", how.name()),
            _ => unreachable!("partial steps"),
        };
        Self::new(name, shape, chunks, input.0.meta.clone(), op)
    }
}

/// The next level of a reduction tree over chunks in `runs`: which chunks each of its
/// chunks combines (up to [`FAN_IN`] of one run), and its chunks' runs.
fn combined(runs: &[Range<usize>]) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
    let mut members: Vec<Range<usize>> = Vec::new();
    let mut next = Vec::with_capacity(runs.len());
    for run in runs {
        let start = members.len();
        members.extend(
            run.clone()
                .step_by(FAN_IN)
                .map(|s| s..(s + FAN_IN).min(run.end)),
        );
        next.push(start..members.len());
    }
    (members, next)
}

impl fmt::Debug for Lazy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Lazy<{}, shape={:?}, dtype={}, chunksize={:?}>",
            self.name(),
            self.shape(),
            self.dtype(),
            self.chunks().max_shape()
        )
    }
}

impl PartialEq for Lazy {
    /// The same plan (not the same values: comparing those would compute).
    fn eq(&self, other: &Self) -> bool {
        self.0.key == other.0.key
    }
}

/// A block with its axes rearranged as [`Op::Arrange`] says, reshaped to `shape`.
pub(crate) fn arrange_block(block: &Values, axes: &[Option<usize>], shape: &[usize]) -> Values {
    let mut order: Vec<usize> = axes.iter().flatten().copied().collect();
    let dropped: Vec<usize> = (0..block.ndim()).filter(|i| !order.contains(i)).collect();
    order.extend(dropped);
    let permuted = crate::array::with_array!(block, a => Values::from_array(
        a.view().permuted_axes(order.as_slice()).as_standard_layout().into_owned()
    ));
    partial::reshape(&permuted, shape).expect("the same number of elements")
}

impl Lazy {
    /// What reprs show of lazy data, as dask shows an array: the step, shape, dtype,
    /// chunk shape, number of chunks, and the tasks and peak memory per task of
    /// computing it.
    ///
    /// ```
    /// use rangeo::prelude::*;
    /// let air = DataArray::new(["time", "x"], ndarray::Array2::<f32>::zeros((10, 4)))?.chunk([("time", 4)])?;
    /// let mean = air.mean("time")?;
    /// assert_eq!(
    ///     mean.data().lazy().unwrap().summary(),
    ///     "rangeo.lazy<mean, shape=(4,), dtype=float32, chunksize=(4,), chunks=1, tasks=1, peak=464 B>"
    /// );
    /// # Ok::<(), rangeo::Error>(())
    /// ```
    #[must_use]
    pub fn summary(&self) -> String {
        let plan = super::plan::Plan::new(std::slice::from_ref(self), usize::MAX, false)
            .expect("an unlimited budget refuses nothing");
        format!(
            "rangeo.lazy<{}, shape={}, dtype={}, chunksize={}, chunks={}, tasks={}, peak={}>",
            self.name(),
            python_tuple(self.shape()),
            self.dtype(),
            python_tuple(&self.chunks().max_shape()),
            self.chunks().len(),
            plan.tasks(),
            super::memory::format_bytes(plan.peak())
        )
    }

    /// The one-line form for rows of a dataset's repr.
    #[must_use]
    pub fn short_summary(&self) -> String {
        format!(
            "lazy<chunksize={}, chunks={}>",
            python_tuple(&self.chunks().max_shape()),
            self.chunks().len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_constants_are_one_step_and_arrays_in_memory_are_not() {
        let lazy = |values: Values| {
            let chunks = Chunks::single(values.shape());
            Lazy::from_values(values, chunks).unwrap()
        };
        let key = |values: Values| lazy(values).0.key;
        assert_eq!(key(Values::scalar(true)), key(Values::scalar(true)));
        assert_ne!(key(Values::scalar(true)), key(Values::scalar(false)));
        assert_ne!(key(Values::scalar(1.0_f32)), key(Values::scalar(1.0_f64)));
        assert_ne!(key(Values::scalar(0.0)), key(Values::scalar(-0.0)));
        // Large arrays are told apart by identity (both alive, as in a plan).
        let big = || lazy(Values::from_vec(vec![0.0_f32; 1000]));
        let (a, b) = (big(), big());
        assert_ne!(a.0.key, b.0.key);
    }
}
