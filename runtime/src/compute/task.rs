//! Running one task: computing one chunk of a stage, with every fused step evaluated
//! chunk by chunk inside it, and kept chunks of earlier stages read as they are.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::chunks::unravel;
use super::elementwise::Elementwise;
use super::lazy::{Groups, Lazy, Op, arrange_block};
use super::partial::{self, Fields};
use super::plan::{Plan, Task};
use super::source::ChunkSource;
use crate::Error;
use crate::array::{Reduction, Values};

/// What a task reads besides sources: chunks of earlier stages, and whether to stop.
pub struct Inputs<'a> {
    /// The chunk of an earlier stage.
    pub read: &'a (dyn Fn(Task) -> Arc<Fields> + Sync),
    /// Raised to stop: a task checks it between the chunks it reads.
    pub cancel: &'a AtomicBool,
    /// Counts the bytes read from sources.
    pub bytes_read: &'a AtomicUsize,
}

impl Plan {
    /// Computes one task's chunk.
    pub fn run_task(&self, task: Task, inputs: &Inputs<'_>) -> Result<Arc<Fields>, Error> {
        let stage = &self.stages[task.stage];
        let index = unravel(&stage.root.chunks().grid(), task.chunk);
        Evaluation {
            plan: self,
            running: &[task.stage],
            shared: &stage.shared,
            computed: RefCell::default(),
            inputs,
        }
        .chunk(&stage.root, &index)
    }

    /// Computes chunk `chunk` of each stage of group `group`, the steps they share
    /// once.
    pub(crate) fn run_group(
        &self,
        group: usize,
        chunk: usize,
        inputs: &Inputs<'_>,
    ) -> Result<Vec<Arc<Fields>>, Error> {
        let group = &self.groups[group];
        let evaluation = Evaluation {
            plan: self,
            running: &group.stages,
            shared: &group.shared,
            computed: RefCell::default(),
            inputs,
        };
        group
            .stages
            .iter()
            .map(|&stage| {
                let root = &self.stages[stage].root;
                evaluation.chunk(root, &unravel(&root.chunks().grid(), chunk))
            })
            .collect()
    }
}

/// A step (by key) and a chunk index of it.
type ChunkId = (u64, Vec<usize>);

struct Evaluation<'a> {
    plan: &'a Plan,
    /// The stages being computed (the others' chunks are read).
    running: &'a [usize],
    /// Steps that several steps of the task read...
    shared: &'a HashSet<u64>,
    /// ...and their chunks once computed.
    computed: RefCell<HashMap<ChunkId, Arc<Fields>>>,
    inputs: &'a Inputs<'a>,
}

impl Evaluation<'_> {
    /// Chunk `index` of `lazy`, computed once per task when several steps read it.
    fn chunk(&self, lazy: &Lazy, index: &[usize]) -> Result<Arc<Fields>, Error> {
        if !self.shared.contains(&lazy.0.key) {
            return self.compute(lazy, index);
        }
        let at = (lazy.0.key, index.to_vec());
        if let Some(done) = self.computed.borrow().get(&at) {
            return Ok(Arc::clone(done));
        }
        let fields = self.compute(lazy, index)?;
        self.computed.borrow_mut().insert(at, Arc::clone(&fields));
        Ok(fields)
    }

    fn compute(&self, lazy: &Lazy, index: &[usize]) -> Result<Arc<Fields>, Error> {
        if let Some(&stage) = self.plan.stage_of.get(&lazy.0.key)
            && !self.running.contains(&stage)
        {
            let grid = lazy.chunks().grid();
            let chunk = index.iter().zip(&grid).fold(0, |acc, (&i, &n)| acc * n + i);
            return Ok((self.inputs.read)(Task { stage, chunk }));
        }
        if self.inputs.cancel.load(Ordering::Relaxed) {
            return Err(Error::Interrupted("the computation was cancelled".into()));
        }
        let one = |values: Values| Ok(Arc::new(vec![values]));
        match &lazy.0.op {
            Op::Source(source) => one(typed(lazy, self.read(lazy, source.as_ref(), index)?)?),
            Op::Map { op, inputs } => one(typed(lazy, self.map(lazy, op, inputs, index)?)?),
            Op::Arrange { input, axes } => {
                let mut at = vec![0; input.ndim()];
                for (k, axis) in axes.iter().enumerate() {
                    if let Some(axis) = axis {
                        at[*axis] = index[k];
                    }
                }
                let block = self.chunk(input, &at)?;
                one(arrange_block(
                    &block[0],
                    axes,
                    &lazy.chunks().shape_of(index),
                ))
            }
            Op::Gather {
                input,
                axis,
                positions,
            } => one(typed(
                lazy,
                self.gather(lazy, input, *axis, positions.as_deref(), index)?,
            )?),
            Op::Concat { inputs, axis } => {
                let (input, at) = concatenated(inputs, *axis, index);
                one(typed(lazy, self.chunk(input, &at)?[0].clone())?)
            }
            Op::Partial {
                input,
                how,
                axes,
                skipna,
                groups,
            } => self.partial(input, *how, axes, *skipna, groups.as_ref(), index),
            Op::Combine {
                input,
                how,
                axis,
                fan_in,
                skipna,
                grouped,
            } => self.combine(input, *how, *axis, *fan_in, (*skipna, *grouped), index),
            Op::Finish {
                input,
                how,
                axes,
                dtype,
                grouped,
            } => {
                let values = if *grouped {
                    partial::finish_groups(*how, &self.chunk(input, index)?, axes[0], *dtype)?
                } else {
                    let mut at = index.to_vec();
                    for &axis in axes {
                        at.insert(axis, 0);
                    }
                    partial::finish(*how, &self.chunk(input, &at)?, axes, *dtype)?
                };
                one(typed(lazy, values)?)
            }
        }
    }

    /// Chunk `index` of an elementwise step: its inputs' blocks (broadcast ones at
    /// their one chunk), the step applied.
    fn map(
        &self,
        lazy: &Lazy,
        op: &Elementwise,
        inputs: &[Lazy],
        index: &[usize],
    ) -> Result<Values, Error> {
        let blocks = inputs
            .iter()
            .map(|input| {
                let at: Vec<usize> = (0..index.len())
                    .map(|a| {
                        if input.shape()[a] == 1 && lazy.shape()[a] != 1 {
                            0
                        } else {
                            index[a]
                        }
                    })
                    .collect();
                self.chunk(input, &at)
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Blocks no one else holds are taken, so arithmetic can write over
        // them; the others are borrowed.
        let (mut taken, mut shared) = (Vec::new(), Vec::new());
        for block in blocks {
            match Arc::try_unwrap(block) {
                Ok(mut fields) => taken.push(Some(fields.swap_remove(0))),
                Err(block) => {
                    taken.push(None);
                    shared.push(block);
                }
            }
        }
        let mut shared = shared.iter();
        let values = taken
            .into_iter()
            .map(|v| {
                v.map_or_else(
                    || Cow::Borrowed(&shared.next().expect("held")[0]),
                    Cow::Owned,
                )
            })
            .collect();
        op.apply(values)
    }

    /// A reduction's partial result over chunk `index` of `input` (per group, with
    /// `groups`).
    fn partial(
        &self,
        input: &Lazy,
        how: Reduction,
        axes: &[usize],
        skipna: bool,
        groups: Option<&Groups>,
        index: &[usize],
    ) -> Result<Arc<Fields>, Error> {
        let block = self.chunk(input, index)?;
        let region = input.chunks().region(index);
        let fields = if let Some(groups) = groups {
            let of = &groups.of[region[axes[0]].clone()];
            partial::partial_groups(how, &block[0], axes[0], skipna, of, groups.count)?
        } else {
            let offset = axes.first().map_or(0, |&a| region[a].start);
            partial::partial(how, &block[0], axes, skipna, offset)?
        };
        Ok(Arc::new(fields))
    }

    /// Partial results of `fan_in` neighbouring chunks of `input` along `axis`, merged
    /// one at a time (so only two are held at once).
    fn combine(
        &self,
        input: &Lazy,
        how: Reduction,
        axis: usize,
        fan_in: usize,
        (skipna, grouped): (bool, bool),
        index: &[usize],
    ) -> Result<Arc<Fields>, Error> {
        let count = input.chunks().dim(axis).len();
        let first = index[axis] * fan_in;
        let mut at = index.to_vec();
        let mut state: Option<Arc<Fields>> = None;
        for k in first..(first + fan_in).min(count) {
            at[axis] = k;
            let next = self.chunk(input, &at)?;
            state = Some(match state {
                None => next,
                Some(state) => {
                    // Merged over the running state, which no one else holds.
                    let state = Arc::unwrap_or_clone(state);
                    Arc::new(if grouped {
                        partial::merge_groups(how, state, &next, skipna)?
                    } else {
                        partial::merge(how, state, &next, skipna)?
                    })
                }
            });
        }
        Ok(state.expect("a combine reads at least one chunk"))
    }

    /// Chunk `index` of `source`, counted and checked against the chunk's shape.
    fn read(
        &self,
        lazy: &Lazy,
        source: &dyn ChunkSource,
        index: &[usize],
    ) -> Result<Values, Error> {
        let values = source.read(index)?;
        let bytes = values.len() * values.dtype().item_size().unwrap_or(8);
        self.inputs.bytes_read.fetch_add(bytes, Ordering::Relaxed);
        let expected = lazy.chunks().shape_of(index);
        if values.shape() != expected.as_slice() {
            return Err(Error::Shape(format!(
                "{} gave a chunk of shape {:?} at {index:?}, expected {expected:?}",
                source.name(),
                values.shape()
            )));
        }
        Ok(values)
    }

    /// Positions of `axis` for the output chunk at `index`: each input chunk touched is
    /// read once, the positions it holds picked, and the pieces put in order.
    fn gather(
        &self,
        lazy: &Lazy,
        input: &Lazy,
        axis: usize,
        positions: Option<&[Option<usize>]>,
        index: &[usize],
    ) -> Result<Values, Error> {
        let range = lazy.chunks().region(index)[axis].clone();
        let wanted: Vec<Option<usize>> = match positions {
            Some(positions) => positions[range].to_vec(),
            None => range.map(Some).collect(),
        };
        // Input chunks in order of first use, with the local positions each gives.
        let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut order: Vec<Option<(usize, usize)>> = Vec::with_capacity(wanted.len());
        for p in &wanted {
            order.push(p.map(|p| {
                let (chunk, local) = input.chunks().locate(axis, p);
                let group = groups
                    .iter()
                    .position(|(c, _)| *c == chunk)
                    .unwrap_or_else(|| {
                        groups.push((chunk, Vec::new()));
                        groups.len() - 1
                    });
                groups[group].1.push(local);
                (group, groups[group].1.len() - 1)
            }));
        }
        if groups.is_empty() {
            // Only missing positions: a block of missing values.
            let shape = lazy.chunks().shape_of(index);
            return lazy.meta().broadcast_to(&shape);
        }
        let mut pieces = Vec::with_capacity(groups.len());
        let mut at = index.to_vec();
        for (chunk, locals) in &groups {
            at[axis] = *chunk;
            let block = self.chunk(input, &at)?;
            let whole = locals.len() == block[0].shape()[axis]
                && locals.iter().enumerate().all(|(i, &l)| i == l);
            pieces.push(if whole {
                block[0].clone()
            } else {
                block[0].select(axis, locals)
            });
        }
        let joined = if pieces.len() == 1 {
            pieces.pop().expect("one piece")
        } else {
            Values::concat(&pieces.iter().collect::<Vec<_>>(), axis)?
        };
        let starts: Vec<usize> = groups
            .iter()
            .scan(0, |start, (_, locals)| {
                let s = *start;
                *start += locals.len();
                Some(s)
            })
            .collect();
        let take: Vec<Option<usize>> = order
            .iter()
            .map(|o| o.map(|(group, i)| starts[group] + i))
            .collect();
        if take.iter().enumerate().all(|(i, t)| *t == Some(i)) {
            Ok(joined)
        } else {
            Ok(joined.take(axis, &take))
        }
    }
}

/// `values` in the step's element type (a chunk without missing positions can come out
/// narrower than the step's promoted type).
fn typed(lazy: &Lazy, values: Values) -> Result<Values, Error> {
    if values.dtype() == lazy.dtype() {
        Ok(values)
    } else {
        values.cast(lazy.dtype())
    }
}

/// The input, and the chunk of it, that chunk `index` of a concatenation along `axis`
/// is.
fn concatenated<'a>(inputs: &'a [Lazy], axis: usize, index: &[usize]) -> (&'a Lazy, Vec<usize>) {
    let mut local = index[axis];
    for input in inputs {
        let count = input.chunks().dim(axis).iter().filter(|&&n| n > 0).count();
        if local < count {
            let mut at = index.to_vec();
            at[axis] = local;
            return (input, at);
        }
        local -= count;
    }
    unreachable!("concatenated chunks cover the output")
}
