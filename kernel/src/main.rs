//! `rangeo-kernel`: run the kernel for a connection file, or install its kernelspec.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use rangeo_kernel::install::{self, Location};
use rangeo_kernel::session::{self, Options};
use rangeo_kernel::wire;

#[derive(Parser)]
#[command(
    name = "rangeo-kernel",
    version,
    about = "A Jupyter kernel for Rust and the rangeo runtime"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve a kernel (front ends start this through the kernelspec).
    Run {
        /// The connection file written by the front end.
        #[arg(long)]
        connection_file: PathBuf,
    },
    /// Build the runtime and install the kernelspec.
    Install {
        #[command(flatten)]
        target: Target,
        /// Where to build the runtime (default: share/rangeo/runtime of the prefix).
        #[arg(long, value_name = "DIR")]
        runtime_dir: Option<PathBuf>,
        /// The runtime crate to build (default: the checkout this binary came from).
        #[arg(long, value_name = "DIR")]
        runtime_source: Option<PathBuf>,
        /// The cargo target directory to compile the runtime in (default: one inside the
        /// runtime directory). Give a checkout's `target/` so its own builds and tests
        /// reuse the runtime's compiled dependencies; the runtime then lives there too.
        #[arg(long, value_name = "DIR")]
        cargo_target_dir: Option<PathBuf>,
    },
    /// Remove the kernelspec.
    Uninstall(Target),
}

#[derive(Args)]
#[group(multiple = false)]
struct Where {
    /// The user's Jupyter data directory (the default).
    #[arg(long)]
    user: bool,
    /// The active Python environment's prefix.
    #[arg(long)]
    sys_prefix: bool,
    /// PREFIX/share/jupyter/kernels.
    #[arg(long, value_name = "PREFIX")]
    prefix: Option<PathBuf>,
}

#[derive(Args)]
struct Target {
    #[command(flatten)]
    place: Where,
    /// The kernelspec's name.
    #[arg(long, default_value = "rangeo")]
    name: String,
}

impl Target {
    fn location(&self) -> Location {
        match (&self.place.prefix, self.place.sys_prefix) {
            (Some(prefix), _) => Location::Prefix(prefix.clone()),
            (None, true) => Location::SysPrefix,
            (None, false) => Location::User,
        }
    }
}

fn main() -> ExitCode {
    // Must come first: completion runs evcxr, whose own child process is this binary;
    // there this never returns.
    evcxr::runtime_hook();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .format_timestamp_millis()
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            #[expect(
                clippy::print_stderr,
                reason = "the binary's one place to report a fatal error"
            )]
            {
                eprintln!("rangeo-kernel: {error:#}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run { connection_file } => {
            let info = wire::read_connection_file(&connection_file)?;
            let history = rangeo_kernel::data_dir().map(|d| d.join("history.jsonl"));
            session::serve(&info, &Options { history })
        }
        Command::Install {
            target,
            runtime_dir,
            runtime_source,
            cargo_target_dir,
        } => {
            let options = install::Options {
                name: target.name.clone(),
                runtime_dir,
                runtime_source,
                cargo_target_dir,
            };
            let dir = install::install(&target.location(), &options)?;
            log::info!(
                "installed kernelspec `{}` in {}",
                target.name,
                dir.display()
            );
            Ok(())
        }
        Command::Uninstall(target) => {
            let dir = install::uninstall(&target.location(), &target.name)?;
            log::info!("removed kernelspec {}", dir.display());
            Ok(())
        }
    }
}
