//! `meshedge completions` and `meshedge man`: scripts and a manual page made from the command
//! line's own description (clap_complete, clap_mangen), so they cannot drift from it.

use std::process::ExitCode;

use meshedge::error::Error;

use super::write_stdout;
use crate::cli::{Shell, describe};

/// Prints the completion script of `shell`.
pub fn completions(shell: Shell) -> Result<ExitCode, Error> {
    let mut command = describe();
    write_stdout(|out| {
        match shell {
            Shell::Bash => clap_complete::generate(clap_complete::Shell::Bash, &mut command, "meshedge", out),
            Shell::Zsh => clap_complete::generate(clap_complete::Shell::Zsh, &mut command, "meshedge", out),
            Shell::Fish => clap_complete::generate(clap_complete::Shell::Fish, &mut command, "meshedge", out),
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the manual page `meshedge.1`, with a section per subcommand.
pub fn man() -> Result<ExitCode, Error> {
    let command = describe();
    write_stdout(|out| {
        let man = clap_mangen::Man::new(command.clone());
        man.render_title(out)?;
        man.render_name_section(out)?;
        man.render_synopsis_section(out)?;
        man.render_description_section(out)?;
        man.render_options_section(out)?;
        man.render_subcommands_section(out)?;
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            let name = format!("meshedge {}", sub.get_name());
            let sub = sub.clone().name(name.clone()).bin_name(name);
            let page = clap_mangen::Man::new(sub);
            page.render_name_section(out)?;
            page.render_synopsis_section(out)?;
            page.render_options_section(out)?;
        }
        man.render_version_section(out)?;
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
