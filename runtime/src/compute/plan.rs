//! From lazy arrays to a plan that can run: the steps whose chunks are kept (stages),
//! with everything between them fused into their tasks, and each task's memory known
//! before anything runs.
//!
//! A step's chunks are kept only where recomputing them would cost: the results of
//! reductions (read by every chunk they broadcast against), the levels of a reduction
//! tree, and the input of a rechunk whose output chunks each read many input chunks.
//! Every other step is fused into the tasks that read it, so its chunks exist only
//! inside one task, one at a time. Steps built twice from the same sources are the same
//! step (compared by structure), so they are computed once.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use super::lazy::{Lazy, Op};
use super::memory::format_bytes;
use crate::Error;
use crate::array::Reduction;

/// A plan ready to run: stages in the order they run, each a set of independent tasks.
#[derive(Debug)]
pub struct Plan {
    pub(crate) stages: Vec<Stage>,
    /// The stage of each requested output.
    pub(crate) outputs: Vec<usize>,
    /// The stage of each kept step, by the step's key.
    pub(crate) stage_of: HashMap<u64, usize>,
    /// Stages run together, in the order they run.
    pub(crate) groups: Vec<Group>,
}

/// Stages whose tasks run together, chunk by chunk, because they compute steps in
/// common (the weighted sum and the sum of weights of one array, say): a task of the
/// group computes chunk `i` of each of them, and a step they share once.
#[derive(Debug)]
pub(crate) struct Group {
    /// The stages, each with the same chunk grid.
    pub(crate) stages: Vec<usize>,
    /// The projected peak memory of one task: its stages' peaks together.
    pub(crate) peak: usize,
    /// How often a task reads each step that it reads more than once (by key).
    pub(crate) reads: HashMap<u64, usize>,
    /// The partial steps of its reductions: a task computes those over the same
    /// chunks together, part by part.
    pub(crate) partials: Vec<Lazy>,
}

/// One kept step and the tasks that make its chunks.
#[derive(Debug)]
pub(crate) struct Stage {
    pub(crate) root: Lazy,
    /// The stages whose chunks this one's tasks read.
    pub(crate) inputs: Vec<usize>,
    /// The projected peak memory of one task.
    pub(crate) peak: usize,
    /// The bytes of all its chunks.
    pub(crate) bytes: usize,
    /// How often its tasks read each step that they read more than once (by key).
    pub(crate) reads: HashMap<u64, usize>,
}

/// A unit of work: which stage, which chunk (row-major position in its grid). Plain
/// data, so an engine elsewhere can run it from the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Task {
    /// The stage.
    pub stage: usize,
    /// The chunk of the stage's result.
    pub chunk: usize,
}

impl Plan {
    /// The plan that computes `outputs`, checked against `budget` bytes: refused when
    /// one task, or what must stay in memory at once (the kept chunks and, when
    /// `in_memory`, the outputs themselves), would not fit.
    pub fn new(outputs: &[Lazy], budget: usize, in_memory: bool) -> Result<Self, Error> {
        let order = post_order(outputs);
        let kept = kept_steps(outputs, &order, budget);
        let mut stages: Vec<Stage> = Vec::new();
        let mut stage_of: HashMap<u64, usize> = HashMap::new();
        let mut walks: Vec<Walk> = Vec::new();
        for lazy in order {
            if !kept.contains(&lazy.0.key) || stage_of.contains_key(&lazy.0.key) {
                continue;
            }
            let mut projection = Projection {
                root: &lazy,
                kept: &kept,
                stage_of: &stage_of,
                inputs: Vec::new(),
                steps: HashMap::new(),
                blockwise: true,
            };
            let peak = projection.peak(&lazy);
            let steps: HashMap<u64, Lazy> = std::mem::take(&mut projection.steps)
                .into_iter()
                .map(|(key, (step, _))| (key, step))
                .collect();
            let reads = reads(steps.values(), &kept);
            walks.push(Walk {
                steps,
                blockwise: projection.blockwise,
            });
            let mut inputs = projection.inputs;
            inputs.sort_unstable();
            inputs.dedup();
            stage_of.insert(lazy.0.key, stages.len());
            stages.push(Stage {
                bytes: total_bytes(&lazy),
                root: lazy,
                inputs,
                peak,
                reads,
            });
        }
        let plan = Self {
            outputs: outputs.iter().map(|o| stage_of[&o.0.key]).collect(),
            groups: groups(&stages, &walks, &kept),
            stages,
            stage_of,
        };
        plan.check(budget, in_memory)?;
        Ok(plan)
    }

    /// The number of tasks.
    #[must_use]
    pub fn tasks(&self) -> usize {
        self.stages.iter().map(|s| s.root.chunks().len()).sum()
    }

    /// The bytes of the outputs.
    pub(crate) fn output_bytes(&self) -> usize {
        self.outputs.iter().map(|&s| self.stages[s].bytes).sum()
    }

    /// The largest projected peak memory of one task.
    #[must_use]
    pub fn peak(&self) -> usize {
        self.stages.iter().map(|s| s.peak).max().unwrap_or(0)
    }

    /// The number of stages (steps whose chunks are kept).
    #[must_use]
    pub fn stages(&self) -> usize {
        self.stages.len()
    }

    /// Whether a stage from `from` on reads stage `stage`.
    pub(crate) fn read_from(&self, stage: usize, from: usize) -> bool {
        self.stages[from..]
            .iter()
            .any(|s| s.inputs.contains(&stage))
    }

    /// Bytes held while stage `stage` runs: the kept chunks that it or later stages
    /// read, and, when outputs are collected in memory, the outputs made so far and the
    /// one being made.
    pub(crate) fn resident(&self, stage: usize, in_memory: bool) -> usize {
        let output = |s: usize| in_memory && self.outputs.contains(&s);
        (0..stage)
            .filter(|&s| self.read_from(s, stage) || output(s))
            .map(|s| self.stages[s].bytes)
            .sum::<usize>()
            + if output(stage) {
                self.stages[stage].bytes
            } else {
                0
            }
    }

    /// Bytes held while group `group` runs besides its tasks (an upper bound: what its
    /// last stage would find held).
    pub(crate) fn group_resident(&self, group: &Group, in_memory: bool) -> usize {
        let last = *group.stages.last().expect("a group has stages");
        self.resident(last, in_memory)
    }

    fn check(&self, budget: usize, in_memory: bool) -> Result<(), Error> {
        for stage in &self.stages {
            if stage.peak > budget {
                return Err(Error::Memory(over_budget(stage, budget)));
            }
        }
        for group in &self.groups {
            let stage = &self.stages[group.stages[0]];
            let resident = self.group_resident(group, in_memory);
            if resident + group.peak > budget {
                return Err(Error::Memory(format!(
                    "computing this needs {} in memory at once (results kept: {}; one task of \
                     step `{}`: {}), more than the memory budget of {}; reduce the data first \
                     (select, reduce or coarsen), or raise the budget with \
                     `set_options(|o| o.memory_budget = ...)`",
                    format_bytes(resident + stage.peak),
                    format_bytes(resident),
                    stage.root.name(),
                    format_bytes(group.peak),
                    format_bytes(budget)
                )));
            }
        }
        Ok(())
    }
}

/// The steps one stage's task computes, and whether it computes one chunk of each
/// (no reduction tree level or rechunk among them).
struct Walk {
    steps: HashMap<u64, Lazy>,
    blockwise: bool,
}

impl Walk {
    /// The reductions' trees the task computes: each partial step's reduced axes
    /// and the chunks it reduces, in a fixed order. Stages with the same trees over
    /// the same chunk grid read the same input chunks for the same output chunk.
    fn trees(&self) -> Vec<(Vec<usize>, &super::Chunks)> {
        let mut trees: Vec<(Vec<usize>, &super::Chunks)> = self
            .steps
            .values()
            .filter_map(|step| match &step.0.op {
                Op::Partial { input, axes, .. } => Some((axes.clone(), input.chunks())),
                _ => None,
            })
            .collect();
        trees.sort_by(|a, b| (&a.0, a.1.lengths()).cmp(&(&b.0, b.1.lengths())));
        trees.dedup();
        trees
    }

    /// Whether a task of this stage and one of `other`, for the same output chunk,
    /// read the same chunks of what they share: both compute one chunk of each step
    /// (blockwise), or both reduce the same chunks over the same axes (sibling
    /// reductions, such as the sum and the count of a weighted mean).
    fn aligned(&self, other: &Walk) -> bool {
        if self.blockwise || other.blockwise {
            return self.blockwise && other.blockwise;
        }
        let trees = self.trees();
        !trees.is_empty() && trees == other.trees()
    }
}

/// The stages in the order they run, grouped: a stage joins an earlier group with the
/// same chunk grid whose tasks read the same chunks for the same output chunk (see
/// [`Walk::aligned`]) when it computes a step they compute and reads nothing that
/// runs after the group starts.
fn groups(stages: &[Stage], walks: &[Walk], kept: &HashSet<u64>) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    // The steps each group's tasks compute, each once however many stages compute it.
    let mut steps: Vec<HashMap<u64, Lazy>> = Vec::new();
    for (i, stage) in stages.iter().enumerate() {
        let joins = |(g, computed): &(&mut Group, &mut HashMap<u64, Lazy>)| {
            let first = g.stages[0];
            walks[i].aligned(&walks[first])
                && stages[first].root.chunks() == stage.root.chunks()
                && stage.inputs.iter().all(|&s| s < first)
                && computed.keys().any(|key| walks[i].steps.contains_key(key))
        };
        if let Some((group, computed)) = groups.iter_mut().zip(&mut steps).find(joins) {
            group.stages.push(i);
            group.peak += stage.peak;
            computed.extend(walks[i].steps.clone());
        } else {
            groups.push(Group {
                stages: vec![i],
                peak: stage.peak,
                reads: HashMap::new(),
                partials: Vec::new(),
            });
            steps.push(walks[i].steps.clone());
        }
    }
    for (group, computed) in groups.iter_mut().zip(&steps) {
        group.reads = reads(computed.values(), kept);
        group.partials = computed
            .values()
            .filter(|step| matches!(step.0.op, Op::Partial { .. }))
            .cloned()
            .collect();
    }
    groups
}

/// How often `steps` read each step that they read more than once (kept steps aside,
/// which tasks read from the stages that keep them): a task holds those blocks until
/// their last read.
fn reads<'a>(
    steps: impl IntoIterator<Item = &'a Lazy>,
    kept: &HashSet<u64>,
) -> HashMap<u64, usize> {
    let mut reads: HashMap<u64, usize> = HashMap::new();
    for step in steps {
        for input in step.0.op.inputs() {
            *reads.entry(input.0.key).or_default() += 1;
        }
    }
    reads.retain(|key, &mut n| n > 1 && !kept.contains(key));
    reads
}

/// The message for a task that cannot fit: which step, how much, and what chunks would.
fn over_budget(stage: &Stage, budget: usize) -> String {
    let mut leaf = &stage.root;
    // The input with the most data per chunk is what to rechunk.
    let mut stack = vec![&stage.root];
    while let Some(lazy) = stack.pop() {
        if chunk_bytes(lazy) > chunk_bytes(leaf) {
            leaf = lazy;
        }
        stack.extend(lazy.0.op.inputs());
    }
    let mut shape = leaf.chunks().max_shape();
    let scale = budget as f64 / stage.peak as f64 * 0.8;
    if let Some(biggest) = (0..shape.len()).max_by_key(|&d| shape[d]) {
        #[allow(
            clippy::cast_sign_loss,
            clippy::cast_possible_truncation,
            reason = "a positive length, at most the current one"
        )]
        let smaller = (shape[biggest] as f64 * scale).floor() as usize;
        shape[biggest] = smaller.max(1);
    }
    let mut message = format!(
        "one task of step `{}` needs {} (chunks of {:?} {}), more than the memory budget of {}",
        stage.root.name(),
        format_bytes(stage.peak),
        leaf.chunks().max_shape(),
        leaf.dtype(),
        format_bytes(budget)
    );
    let _ = write!(
        message,
        "; chunks of about {shape:?} would fit: rechunk with `.chunk(...)`, or raise the \
         budget with `set_options(|o| o.memory_budget = ...)`"
    );
    message
}

/// Bytes of the largest chunk of `lazy`.
pub(crate) fn chunk_bytes(lazy: &Lazy) -> usize {
    lazy.chunks().max_shape().iter().product::<usize>() * item_bytes(lazy)
}

/// Bytes of the whole of `lazy`.
pub(crate) fn total_bytes(lazy: &Lazy) -> usize {
    lazy.shape().iter().product::<usize>() * item_bytes(lazy)
}

/// Bytes per element, times the quantities a partial reduction carries.
fn item_bytes(lazy: &Lazy) -> usize {
    let fields = match &lazy.0.op {
        Op::Partial { how, .. } | Op::Combine { how, .. } => match how {
            Reduction::Mean | Reduction::ArgMin | Reduction::ArgMax => 2,
            Reduction::Var { .. } | Reduction::Std { .. } => 3,
            _ => 1,
        },
        _ => return lazy.dtype().item_size().unwrap_or(32),
    };
    fields * 8
}

/// The steps whose chunks are kept between tasks, within `budget` bytes.
fn kept_steps(outputs: &[Lazy], order: &[Lazy], budget: usize) -> HashSet<u64> {
    let mut kept: HashSet<u64> = outputs.iter().map(|o| o.0.key).collect();
    for lazy in order {
        match &lazy.0.op {
            Op::Finish { .. } => {
                kept.insert(lazy.0.key);
            }
            Op::Combine { input, .. } if matches!(input.0.op, Op::Combine { .. }) => {
                kept.insert(input.0.key);
            }
            Op::Gather {
                positions: None, ..
            } => {
                // A rechunk (of a rechunk, one dimension each): the step below them
                // all is kept when its chunks would be read by more than two output
                // chunks each, so it is read or computed once. A source too big to
                // keep in half the budget is read again for each output chunk.
                let (below, reads) = rechunk_reads(lazy);
                let fits = !matches!(below.0.op, Op::Source(_)) || total_bytes(below) <= budget / 2;
                if reads > 2 * below.chunks().len() && fits {
                    kept.insert(below.0.key);
                }
            }
            _ => {}
        }
    }
    kept
}

/// The step below a chain of rechunks ending at `lazy`, and how many of its chunks
/// the output chunks read in all (per output chunk, the input chunks it overlaps).
fn rechunk_reads(lazy: &Lazy) -> (&Lazy, usize) {
    let mut below = lazy;
    while let Op::Gather {
        input,
        positions: None,
        ..
    } = &below.0.op
    {
        below = input;
    }
    let reads = (0..lazy.ndim())
        .map(|axis| {
            lazy.chunks()
                .dim(axis)
                .iter()
                .scan(0, |start, &len| {
                    let range = *start..*start + len;
                    *start += len;
                    Some(range)
                })
                .filter(|range| !range.is_empty())
                .map(|range| {
                    let first = below.chunks().locate(axis, range.start).0;
                    let last = below.chunks().locate(axis, range.end - 1).0;
                    last + 1 - first
                })
                .sum::<usize>()
        })
        .product();
    (below, reads)
}

/// Every step reachable from `outputs`, inputs before the steps that read them, each
/// structure once.
pub(crate) fn post_order(outputs: &[Lazy]) -> Vec<Lazy> {
    let mut order = Vec::new();
    let mut seen = HashSet::new();
    for output in outputs {
        // Iterative depth-first walk: plans can be deep (long chains of operations).
        let mut stack = vec![(output.clone(), false)];
        while let Some((lazy, expanded)) = stack.pop() {
            if expanded {
                order.push(lazy);
                continue;
            }
            if !seen.insert(lazy.0.key) {
                continue;
            }
            stack.push((lazy.clone(), true));
            for input in lazy.0.op.inputs().into_iter().rev() {
                if !seen.contains(&input.0.key) {
                    stack.push((input.clone(), false));
                }
            }
        }
    }
    order
}

/// What one stage's tasks compute: walked once from the stage's root down to kept
/// steps (which are read, not computed).
struct Projection<'a> {
    root: &'a Lazy,
    kept: &'a HashSet<u64>,
    stage_of: &'a HashMap<u64, usize>,
    /// The stages read.
    inputs: Vec<usize>,
    /// The steps walked (computed by the task) and the projected peak of each, by key.
    steps: HashMap<u64, (Lazy, usize)>,
    /// Whether the task computes one chunk of each step it computes.
    blockwise: bool,
}

impl Projection<'_> {
    /// The peak memory of computing one chunk of `lazy` inside a task (each step
    /// walked once, however many read it).
    fn peak(&mut self, lazy: &Lazy) -> usize {
        let key = lazy.0.key;
        if key != self.root.0.key && self.kept.contains(&key) {
            self.inputs.push(self.stage_of[&key]);
            return 0;
        }
        if let Some(&(_, peak)) = self.steps.get(&key) {
            return peak;
        }
        let out = chunk_bytes(lazy);
        let peak = match &lazy.0.op {
            Op::Source(source) => {
                let first = vec![0; lazy.shape().len()];
                source.stored_bytes(&first) + out
            }
            Op::Map { inputs: list, .. } => {
                let (mut held, mut peak) = (0, 0);
                for input in list {
                    peak = peak.max(held + self.peak(input));
                    held += chunk_bytes(input);
                }
                peak.max(held + out)
            }
            Op::Arrange { input, .. } | Op::Finish { input, .. } => self.peak(input) + out,
            Op::Gather { input, .. } => {
                self.blockwise = false;
                self.peak(input) + 2 * out
            }
            Op::Concat { inputs: list, .. } => list.iter().map(|i| self.peak(i)).max().unwrap_or(0),
            Op::Partial { input, .. } => {
                // The block as float64 for sums, plus the partial result.
                let floats = input.chunks().max_shape().iter().product::<usize>() * 8;
                self.peak(input) + floats + out
            }
            Op::Combine { input, .. } => {
                self.blockwise = false;
                self.peak(input) + 3 * out
            }
        };
        self.steps.insert(key, (lazy.clone(), peak));
        peak
    }
}
