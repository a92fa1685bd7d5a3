//! Running one task: computing one chunk of a stage, with every fused step evaluated
//! chunk by chunk inside it, and kept chunks of earlier stages read as they are.
//!
//! A reduction's fused steps run part by part: its chunk is cut into parts small
//! enough to stay in the processor's cache, each part goes through every step (and
//! every sibling reduction's steps) before the next one starts, and the partial results
//! of the parts are put together. Steps that cannot run on a part (a gather, a kept
//! chunk) are computed whole once per task and cut.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::chunks::unravel;
use super::elementwise::Elementwise;
use super::groups::Grouped;
use super::lazy::{Lazy, Op, arrange_block};
use super::partial::{self, Fields};
use super::plan::{Plan, Task};
use super::source::{ChunkSource, copy_block, put, slice, within};
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
            reads: &stage.reads,
            siblings: &[],
            computed: RefCell::default(),
            parts: RefCell::default(),
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
            reads: &group.reads,
            siblings: &group.partials,
            computed: RefCell::default(),
            parts: RefCell::default(),
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

/// The most elements a part of a chunk holds: enough that the bookkeeping of each part
/// is small next to its arithmetic, few enough that its intermediates stay in the
/// processor's caches rather than memory. On `bench/lazy.py` (1 MiB of L2 cache per
/// core), 2^17 to 2^19 were equally fast; 2^16 took 20% longer on the anomaly std, 2^13
/// 2.6 times as long, and 2^22 twice as long.
const PART_ELEMENTS: usize = 1 << 17;

/// A step (by key) and a chunk index of it.
type ChunkId = (u64, Vec<usize>);

/// A step (by key), a chunk index of it, and a part of that chunk.
type PartId = (u64, Vec<usize>, Vec<Range<usize>>);

struct Evaluation<'a> {
    plan: &'a Plan,
    /// The stages being computed (the others' chunks are read).
    running: &'a [usize],
    /// How often the task reads each step that it reads more than once...
    reads: &'a HashMap<u64, usize>,
    /// Partial steps of the task's reductions, computed together over the same chunk.
    siblings: &'a [Lazy],
    /// ...and their chunks once computed; also whole chunks that parts are cut from,
    /// and sibling partial results made before they are asked for.
    computed: RefCell<HashMap<ChunkId, Arc<Fields>>>,
    /// Blocks of those steps for the part being computed, with the reads left.
    parts: RefCell<HashMap<PartId, (Arc<Fields>, usize)>>,
    inputs: &'a Inputs<'a>,
}

impl Evaluation<'_> {
    /// Chunk `index` of `lazy`, computed once per task when several steps read it.
    fn chunk(&self, lazy: &Lazy, index: &[usize]) -> Result<Arc<Fields>, Error> {
        self.held(lazy, index, self.reads.contains_key(&lazy.0.key))
    }

    /// Chunk `index` of `lazy`, kept for the rest of the task: what parts are cut from.
    fn whole(&self, lazy: &Lazy, index: &[usize]) -> Result<Arc<Fields>, Error> {
        self.held(lazy, index, true)
    }

    /// Chunk `index` of `lazy` as computed earlier in the task, or computed now (and
    /// kept when `keep`).
    fn held(&self, lazy: &Lazy, index: &[usize], keep: bool) -> Result<Arc<Fields>, Error> {
        let at = (lazy.0.key, index.to_vec());
        if let Some(done) = self.computed.borrow().get(&at) {
            return Ok(Arc::clone(done));
        }
        let fields = self.compute(lazy, index)?;
        if keep {
            self.computed.borrow_mut().insert(at, Arc::clone(&fields));
        }
        Ok(fields)
    }

    /// The block `part` (ranges from the chunk's start) of chunk `index` of `lazy`:
    /// reads and elementwise steps computed on the part alone, other steps cut from
    /// their whole chunk.
    fn part(
        &self,
        lazy: &Lazy,
        index: &[usize],
        part: &[Range<usize>],
    ) -> Result<Arc<Fields>, Error> {
        let shape = lazy.chunks().shape_of(index);
        if part
            .iter()
            .zip(&shape)
            .all(|(r, &n)| r.start == 0 && r.end == n)
        {
            return self.chunk(lazy, index);
        }
        let reads = self.reads.get(&lazy.0.key).copied();
        let at = (lazy.0.key, index.to_vec(), part.to_vec());
        if reads.is_some()
            && let Entry::Occupied(mut held) = self.parts.borrow_mut().entry(at.clone())
        {
            // The last read takes the block, which arithmetic may then write over.
            held.get_mut().1 -= 1;
            return Ok(if held.get().1 == 0 {
                held.remove().0
            } else {
                Arc::clone(&held.get().0)
            });
        }
        let values = match &lazy.0.op {
            _ if self.kept(lazy).is_some() => slice(&self.whole(lazy, index)?[0], part),
            Op::Source(source) if source.reads_parts() => {
                typed(lazy, self.read(lazy, source.as_ref(), index, Some(part))?)?
            }
            Op::Map { op, inputs } => typed(lazy, self.map(lazy, op, inputs, index, Some(part))?)?,
            Op::Gather {
                input,
                axis,
                positions,
            } => typed(
                lazy,
                self.gather(
                    lazy,
                    (input, *axis, positions.as_deref()),
                    index,
                    Some(part),
                )?,
            )?,
            Op::Arrange { input, axes } => {
                let at = arranged_index(input, axes, index);
                let mut inner: Vec<Range<usize>> = input
                    .chunks()
                    .shape_of(&at)
                    .into_iter()
                    .map(|n| 0..n)
                    .collect();
                for (k, axis) in axes.iter().enumerate() {
                    if let Some(axis) = axis {
                        inner[*axis] = part[k].clone();
                    }
                }
                arrange_block(&self.part(input, &at, &inner)?[0], axes, &lengths(part))
            }
            _ => slice(&self.whole(lazy, index)?[0], part),
        };
        let fields = Arc::new(vec![values]);
        if let Some(reads) = reads {
            self.parts
                .borrow_mut()
                .insert(at, (Arc::clone(&fields), reads - 1));
        }
        Ok(fields)
    }

    /// Chunk `index` of `lazy`, or its block `part`.
    fn block(
        &self,
        lazy: &Lazy,
        index: &[usize],
        part: Option<&[Range<usize>]>,
    ) -> Result<Arc<Fields>, Error> {
        match part {
            None => self.chunk(lazy, index),
            Some(part) => self.part(lazy, index, part),
        }
    }

    /// The stage whose kept chunks hold `lazy`, when this task does not compute it.
    fn kept(&self, lazy: &Lazy) -> Option<usize> {
        self.plan
            .stage_of
            .get(&lazy.0.key)
            .copied()
            .filter(|stage| !self.running.contains(stage))
    }

    fn compute(&self, lazy: &Lazy, index: &[usize]) -> Result<Arc<Fields>, Error> {
        if let Some(stage) = self.kept(lazy) {
            let chunk = lazy.chunks().ravel(index);
            return Ok((self.inputs.read)(Task { stage, chunk }));
        }
        if self.inputs.cancel.load(Ordering::Relaxed) {
            return Err(Error::Interrupted("the computation was cancelled".into()));
        }
        let one = |values: Values| Ok(Arc::new(vec![values]));
        match &lazy.0.op {
            Op::Source(source) => one(typed(lazy, self.read(lazy, source.as_ref(), index, None)?)?),
            Op::Map { op, inputs } => one(typed(lazy, self.map(lazy, op, inputs, index, None)?)?),
            Op::Arrange { input, axes } => {
                let block = self.chunk(input, &arranged_index(input, axes, index))?;
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
                self.gather(lazy, (input, *axis, positions.as_deref()), index, None)?,
            )?),
            Op::Concat { inputs, axis } => match concatenated(inputs, *axis, index) {
                Some((input, at)) => one(typed(lazy, self.chunk(input, &at)?[0].clone())?),
                // Empty parts only: the one chunk along `axis` is empty.
                None => one(lazy.meta().broadcast_to(&lazy.chunks().shape_of(index))?),
            },
            Op::Partial { .. } => self.partial(lazy, index),
            Op::Combine {
                input,
                how,
                axis,
                members,
                skipna,
                groups,
            } => {
                let members = members[index[*axis]].clone();
                self.combine(
                    input,
                    *how,
                    (*axis, members),
                    (*skipna, groups.as_ref()),
                    index,
                )
            }
            Op::Finish {
                input,
                how,
                axes,
                dtype,
            } => {
                let values = if let Some(groups) = input.grouped() {
                    let fields = self.chunk(input, index)?;
                    let ids = groups.ids(index[axes[0]]);
                    let results = lazy.chunks().region(index).swap_remove(axes[0]);
                    partial::finish_groups(*how, &fields, axes[0], *dtype, &ids, results)?
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

    /// Chunk `index` (or its block `part`) of an elementwise step: its inputs' blocks
    /// (broadcast ones at their one chunk), the step applied.
    fn map(
        &self,
        lazy: &Lazy,
        op: &Elementwise,
        inputs: &[Lazy],
        index: &[usize],
        part: Option<&[Range<usize>]>,
    ) -> Result<Values, Error> {
        let blocks = inputs
            .iter()
            .map(|input| {
                let broadcast = |a: usize| input.shape()[a] == 1 && lazy.shape()[a] != 1;
                let at: Vec<usize> = (0..index.len())
                    .map(|a| if broadcast(a) { 0 } else { index[a] })
                    .collect();
                let inner: Option<Vec<Range<usize>>> = part.map(|part| {
                    (0..index.len())
                        .map(|a| if broadcast(a) { 0..1 } else { part[a].clone() })
                        .collect()
                });
                self.block(input, &at, inner.as_deref())
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

    /// The partial result of reduction step `lazy` over chunk `index` of its input,
    /// computed part by part when the chunk is large and has fused steps; sibling
    /// reductions over the same chunk are computed along and kept for when they are
    /// asked for.
    fn partial(&self, lazy: &Lazy, index: &[usize]) -> Result<Arc<Fields>, Error> {
        let step = Reducing::of(lazy);
        let chunks = step.input.chunks();
        let mut steps = vec![step];
        steps.extend(
            self.siblings
                .iter()
                .filter(|s| s.0.key != lazy.0.key)
                .map(Reducing::of)
                .filter(|s| s.input.chunks() == chunks)
                .filter(|s| {
                    !self
                        .computed
                        .borrow()
                        .contains_key(&(s.key, index.to_vec()))
                }),
        );
        let shape = chunks.shape_of(index);
        let lengths = match split(&steps, &shape) {
            Some(lengths) => lengths,
            // A chunk too small to cut, with siblings: one part, so that they are
            // computed along and the chunk they share is dropped once they are done.
            None if steps.len() > 1 && !shape.contains(&0) => shape.clone(),
            None => {
                let full: Vec<Range<usize>> = shape.iter().map(|&n| 0..n).collect();
                let block = self.chunk(step.input, index)?;
                return Ok(Arc::new(step.reduce(&block[0], index, &full)?));
            }
        };
        // Whole chunks cut into parts are dropped once the parts are done.
        let held: HashSet<ChunkId> = self.computed.borrow().keys().cloned().collect();
        // Each step's partial results so far, by where they go in its partial chunk.
        let mut placed: Vec<Vec<(Vec<Range<usize>>, Fields)>> = vec![Vec::new(); steps.len()];
        for part in parts(&shape, &lengths) {
            if self.inputs.cancel.load(Ordering::Relaxed) {
                return Err(Error::Interrupted("the computation was cancelled".into()));
            }
            self.parts.borrow_mut().clear();
            for (step, placed) in steps.iter().zip(&mut placed) {
                let block = self.part(step.input, index, &part)?;
                let fields = step.reduce(&block[0], index, &part)?;
                let at = step.place(&part);
                match placed.iter_mut().find(|(r, _)| *r == at) {
                    Some((_, state)) => {
                        let earlier = std::mem::take(state);
                        *state = partial::merge(step.how, earlier, &fields, step.skipna)?;
                    }
                    None => placed.push((at, fields)),
                }
            }
        }
        self.parts.borrow_mut().clear();
        self.computed.borrow_mut().retain(|id, _| held.contains(id));
        let mut results = steps
            .iter()
            .zip(placed)
            .map(|(step, placed)| step.assemble(placed, index));
        let own = Arc::new(results.next().expect("the step itself")?);
        for (step, fields) in steps[1..].iter().zip(results) {
            self.computed
                .borrow_mut()
                .insert((step.key, index.to_vec()), Arc::new(fields?));
        }
        Ok(own)
    }

    /// Partial results of chunks `members` of `input` along `axis`, merged one at a
    /// time (so only two are held at once). Grouped, each carries the groups of its
    /// positions, and the result those of all of them (`groups`).
    fn combine(
        &self,
        input: &Lazy,
        how: Reduction,
        (axis, members): (usize, Range<usize>),
        (skipna, groups): (bool, Option<&Grouped>),
        index: &[usize],
    ) -> Result<Arc<Fields>, Error> {
        let ids = groups.map(|g| g.ids(index[axis]));
        let mut at = index.to_vec();
        let mut state: Option<Arc<Fields>> = None;
        for k in members {
            at[axis] = k;
            let mut next = self.chunk(input, &at)?;
            if let (Some(ids), Some(below)) = (&ids, input.grouped())
                && let Some(wider) = partial::regroup(&next, axis, &below.ids(k), ids)?
            {
                next = Arc::new(wider);
            }
            state = Some(match state {
                None => next,
                Some(state) => {
                    // Merged over the running state, which no one else holds.
                    let state = Arc::unwrap_or_clone(state);
                    Arc::new(if groups.is_some() {
                        partial::merge_groups(how, state, &next, skipna)?
                    } else {
                        partial::merge(how, state, &next, skipna)?
                    })
                }
            });
        }
        Ok(state.expect("a combine reads at least one chunk"))
    }

    /// Chunk `index` of `source` (or its block `part`), counted and checked against
    /// the shape asked for.
    fn read(
        &self,
        lazy: &Lazy,
        source: &dyn ChunkSource,
        index: &[usize],
        part: Option<&[Range<usize>]>,
    ) -> Result<Values, Error> {
        let values = match part {
            None => source.read(index)?,
            Some(part) => source.read_part(index, part)?,
        };
        let bytes = values.len() * values.dtype().item_size().unwrap_or(8);
        self.inputs.bytes_read.fetch_add(bytes, Ordering::Relaxed);
        let expected = part.map_or_else(|| lazy.chunks().shape_of(index), lengths);
        if values.shape() != expected.as_slice() {
            return Err(Error::Shape(format!(
                "{} gave a chunk of shape {:?} at {index:?}, expected {expected:?}",
                source.name(),
                values.shape()
            )));
        }
        Ok(values)
    }

    /// Positions of `axis` for the output chunk at `index` (or its block `part`): each
    /// input chunk touched is read once, the positions it holds picked, and the pieces
    /// put in order.
    fn gather(
        &self,
        lazy: &Lazy,
        (input, axis, positions): (&Lazy, usize, Option<&[Option<usize>]>),
        index: &[usize],
        part: Option<&[Range<usize>]>,
    ) -> Result<Values, Error> {
        let mut region = lazy.chunks().region(index);
        if let Some(part) = part {
            region = within(&region, part);
        }
        let range = region[axis].clone();
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
            let shape = part.map_or_else(|| lazy.chunks().shape_of(index), lengths);
            return lazy.meta().broadcast_to(&shape);
        }
        // The block of input chunk `chunk` holding `locals` along `axis` (the same
        // block of the other axes, and along `axis` the span of the positions wanted,
        // so a rechunk of a rechunk, one per dimension, asks each step below for the
        // block it needs only), and where in the block given the positions are: with
        // `whole`, a chunk that costs nothing more whole (kept by an earlier stage, or
        // read whole from a store anyway) is given whole, to be cut where it is copied.
        let fetch = |chunk: usize, locals: &[usize], whole: bool| {
            let mut at = index.to_vec();
            at[axis] = chunk;
            let first = *locals.iter().min().expect("a group has positions");
            let span = first..locals.iter().max().expect("a group has positions") + 1;
            let everything: Vec<Range<usize>> = input
                .chunks()
                .shape_of(&at)
                .into_iter()
                .map(|n| 0..n)
                .collect();
            let mut inner = part.map_or_else(|| everything.clone(), <[_]>::to_vec);
            inner[axis] = span;
            let free = self.kept(input).is_some()
                || matches!(&input.0.op, Op::Source(source) if !source.reads_parts());
            if inner == everything || (whole && free) {
                return Ok((self.whole_or_chunk(input, &at, inner != everything)?, inner));
            }
            let block = self.part(input, &at, &inner)?;
            let mut within: Vec<Range<usize>> = block[0].shape().iter().map(|&n| 0..n).collect();
            // Along `axis`, counted from the chunk's start as `locals` are.
            within[axis] = inner[axis].clone();
            Ok((block, within))
        };
        let consecutive = wanted.first().is_some_and(Option::is_some)
            && wanted
                .windows(2)
                .all(|w| matches!(w, [Some(a), Some(b)] if *b == a + 1));
        if consecutive && Values::zeros(lazy.dtype(), &[]).is_some() {
            return gather_run(lazy, axis, &groups, index, part, &fetch);
        }
        let mut pieces = Vec::with_capacity(groups.len());
        for (chunk, locals) in &groups {
            let (block, within) = fetch(*chunk, locals, false)?;
            // The block starts at the span's first position, or at the chunk's.
            let first = if block[0].shape()[axis] == within[axis].len() {
                within[axis].start
            } else {
                0
            };
            let whole = locals.len() == block[0].shape()[axis]
                && locals.iter().enumerate().all(|(i, &l)| i + first == l);
            pieces.push(if whole {
                block[0].clone()
            } else {
                let shifted: Vec<usize> = locals.iter().map(|l| l - first).collect();
                block[0].select(axis, &shifted)
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

    /// Chunk `index` of `lazy` whole: kept for the rest of the task when only part
    /// of it is wanted now (the rest may be asked for next).
    fn whole_or_chunk(
        &self,
        lazy: &Lazy,
        index: &[usize],
        partly: bool,
    ) -> Result<Arc<Fields>, Error> {
        if partly {
            self.whole(lazy, index)
        } else {
            self.chunk(lazy, index)
        }
    }
}

/// [`Evaluation::gather`] of a run of consecutive positions of numbers (a
/// rechunk, a slice):
/// each input chunk's block `fetch`ed and copied into its place in the output,
/// with no copy of the block first and no concatenation after; a block that is the
/// whole output is taken as it is.
fn gather_run(
    lazy: &Lazy,
    axis: usize,
    groups: &[(usize, Vec<usize>)],
    index: &[usize],
    part: Option<&[Range<usize>]>,
    fetch: &Fetch<'_>,
) -> Result<Values, Error> {
    let shape = part.map_or_else(|| lazy.chunks().shape_of(index), lengths);
    if let [(chunk, locals)] = groups {
        let (block, within) = fetch(*chunk, locals, false)?;
        if block[0].shape() == shape.as_slice() {
            return Ok(Arc::try_unwrap(block)
                .map_or_else(|shared| shared[0].clone(), |mut own| own.swap_remove(0)));
        }
        return Ok(slice(&block[0], &block_ranges(&block[0], within, axis)));
    }
    let mut out: Option<Values> = None;
    let mut offset = 0;
    for (chunk, locals) in groups {
        let (block, within) = fetch(*chunk, locals, true)?;
        let block = &block[0];
        let within = block_ranges(block, within, axis);
        let out = out.get_or_insert_with(|| {
            Values::zeros(block.dtype(), &shape).expect("numbers, as the step's")
        });
        let mut to: Vec<Range<usize>> = shape.iter().map(|&n| 0..n).collect();
        to[axis] = offset..offset + locals.len();
        copy_block(out, &to, block, &within);
        offset += locals.len();
    }
    Ok(out.expect("at least one group"))
}

/// Where the wanted part of a fetched `block` lies in it: `within` as given, but
/// along `axis` counted from the block's start rather than the chunk's when the block
/// holds only the span wanted.
fn block_ranges(block: &Values, mut within: Vec<Range<usize>>, axis: usize) -> Vec<Range<usize>> {
    if block.shape()[axis] == within[axis].len() {
        within[axis] = 0..within[axis].len();
    }
    within
}

/// What [`Evaluation::gather`] reads an input chunk's block with: the chunk, the local
/// positions wanted along the gathered axis, and whether a block that costs nothing
/// more whole may come whole; gives the block and where the wanted part lies in it.
type Fetch<'a> =
    dyn Fn(usize, &[usize], bool) -> Result<(Arc<Fields>, Vec<Range<usize>>), Error> + 'a;

/// A reduction's partial step, unpacked.
#[derive(Clone, Copy)]
struct Reducing<'a> {
    key: u64,
    input: &'a Lazy,
    how: Reduction,
    axes: &'a [usize],
    skipna: bool,
    groups: Option<&'a Grouped>,
}

impl<'a> Reducing<'a> {
    fn of(lazy: &'a Lazy) -> Self {
        let Op::Partial {
            input,
            how,
            axes,
            skipna,
            groups,
        } = &lazy.0.op
        else {
            unreachable!("a reduction's partial step")
        };
        Self {
            key: lazy.0.key,
            input,
            how: *how,
            axes,
            skipna: *skipna,
            groups: groups.as_ref(),
        }
    }

    /// The partial result over `block`, the block `part` of input chunk `index`.
    fn reduce(
        &self,
        block: &Values,
        index: &[usize],
        part: &[Range<usize>],
    ) -> Result<Fields, Error> {
        let region = within(&self.input.chunks().region(index), part);
        if let Some(groups) = self.groups {
            let axis = self.axes[0];
            let of = &groups.groups.of[region[axis].clone()];
            let ids = groups.ids(index[axis]);
            partial::partial_groups(self.how, block, axis, self.skipna, of, &ids)
        } else {
            let offset = self.axes.first().map_or(0, |&a| region[a].start);
            partial::partial(self.how, block, self.axes, self.skipna, offset)
        }
    }

    /// Where the partial result over block `part` of an input chunk goes in the
    /// partial result over the chunk: reduced axes have length 1 there.
    fn place(&self, part: &[Range<usize>]) -> Vec<Range<usize>> {
        let mut at = part.to_vec();
        for &axis in self.axes {
            at[axis] = 0..1;
        }
        at
    }

    /// The partial results of the parts of input chunk `index`, each at its place,
    /// as one.
    fn assemble(
        &self,
        mut placed: Vec<(Vec<Range<usize>>, Fields)>,
        index: &[usize],
    ) -> Result<Fields, Error> {
        if placed.len() == 1 {
            return Ok(placed.pop().expect("one").1);
        }
        let mut shape = self.input.chunks().shape_of(index);
        for &axis in self.axes {
            shape[axis] = 1;
        }
        let first = &placed[0].1;
        (0..first.len())
            .map(|i| {
                if self.groups.is_some() && i == first.len() - 1 {
                    // How many positions each group has: the same for every part.
                    return Ok(first[i].clone());
                }
                let mut whole = shape.clone();
                if self.groups.is_some() {
                    whole[self.axes[0]] = first[i].shape()[self.axes[0]];
                }
                let mut field = slice(&first[i], &vec![0..1; shape.len()]).broadcast_to(&whole)?;
                for (at, fields) in &placed {
                    let mut at = at.clone();
                    if self.groups.is_some() {
                        at[self.axes[0]] = 0..whole[self.axes[0]];
                    }
                    put(&mut field, &at, &fields[i]);
                }
                Ok(field)
            })
            .collect()
    }
}

/// How long the parts that chunks of `shape` are cut into are along each axis, for
/// `steps` to run part by part within the cache: axes none of them reduces are cut
/// first, outermost first (parts' results then sit side by side), then axes they
/// merge over. `None` when the chunk is small, or when there are no fused steps to
/// run on parts.
fn split(steps: &[Reducing<'_>], shape: &[usize]) -> Option<Vec<usize>> {
    let total: usize = shape.iter().product();
    let fused = steps
        .iter()
        .any(|s| matches!(s.input.0.op, Op::Map { .. } | Op::Arrange { .. }));
    if total <= 2 * PART_ELEMENTS || !fused {
        return None;
    }
    let allowed = |a: &usize| {
        steps.iter().all(|s| match s.groups {
            Some(_) => s.axes[0] != *a,
            None => !s.axes.contains(a) || partial::is_tree(s.how),
        })
    };
    let reduced = |a: &usize| steps.iter().any(|s| s.axes.contains(a));
    let (kept, merged): (Vec<usize>, Vec<usize>) =
        (0..shape.len()).filter(allowed).partition(|a| !reduced(a));
    let mut lengths = shape.to_vec();
    for axis in kept.into_iter().chain(merged) {
        let size: usize = lengths.iter().product();
        if size <= PART_ELEMENTS {
            break;
        }
        lengths[axis] = (PART_ELEMENTS * lengths[axis] / size).clamp(1, shape[axis]);
    }
    (lengths != shape).then_some(lengths)
}

/// The parts of a chunk of `shape` cut `lengths` long, in row-major order.
fn parts(shape: &[usize], lengths: &[usize]) -> Vec<Vec<Range<usize>>> {
    let mut parts = vec![Vec::new()];
    for (&n, &length) in shape.iter().zip(lengths) {
        parts = parts
            .into_iter()
            .flat_map(|part: Vec<Range<usize>>| {
                (0..n).step_by(length).map(move |start| {
                    let mut part = part.clone();
                    part.push(start..(start + length).min(n));
                    part
                })
            })
            .collect();
    }
    parts
}

/// The shape of a block.
fn lengths(part: &[Range<usize>]) -> Vec<usize> {
    part.iter().map(ExactSizeIterator::len).collect()
}

/// The chunk of an arrangement's input that its chunk `index` comes from.
fn arranged_index(input: &Lazy, axes: &[Option<usize>], index: &[usize]) -> Vec<usize> {
    let mut at = vec![0; input.ndim()];
    for (k, axis) in axes.iter().enumerate() {
        if let Some(axis) = axis {
            at[*axis] = index[k];
        }
    }
    at
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
/// is; `None` when every input is empty along `axis` (the output's one chunk there is
/// empty too).
fn concatenated<'a>(
    inputs: &'a [Lazy],
    axis: usize,
    index: &[usize],
) -> Option<(&'a Lazy, Vec<usize>)> {
    let mut local = index[axis];
    for input in inputs {
        let count = input.chunks().dim(axis).iter().filter(|&&n| n > 0).count();
        if local < count {
            let mut at = index.to_vec();
            at[axis] = local;
            return Some((input, at));
        }
        local -= count;
    }
    None
}
