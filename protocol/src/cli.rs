//! clap's own words in Portuguese, for both binaries (behind the `cli` feature): the help's
//! headings and usage line, `-h` and `-V`, and each default as `[padrão: …]`. The flags' own
//! texts are the binaries' doc comments.

use clap::{Arg, ArgAction, Command};

/// The help's layout, with the usage heading in Portuguese.
const TEMPLATE: &str = "{before-help}{about-with-newline}\nUso: {usage}\n\n{all-args}{after-help}";

/// `command` with its help in Portuguese: "Uso:", "Argumentos", "Opções", `-h`, `-V` and
/// `[padrão: …]`.
pub fn in_portuguese(command: Command) -> Command {
    let mut command = command.disable_help_flag(true).arg(
        Arg::new("help")
            .short('h')
            .long("help")
            .action(ArgAction::Help)
            .help("Mostra esta ajuda (--help mostra tudo)")
            .long_help("Mostra esta ajuda (-h mostra um resumo)"),
    );
    if command.get_version().is_some() {
        command = command.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Mostra a versão"),
        );
    }
    command.help_template(TEMPLATE).mut_args(|arg| {
        let heading = if arg.is_positional() {
            "Argumentos"
        } else {
            "Opções"
        };
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        let arg = arg.help_heading(heading);
        if defaults.is_empty() || arg.is_hide_default_value_set() {
            return arg;
        }
        let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
        let help = format!("{help} [padrão: {}]", defaults.join(", "));
        arg.hide_default_value(true).help(help)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_usage_and_defaults_are_in_portuguese() {
        let command = Command::new("x")
            .version("1")
            .about("sobre")
            .arg(
                Arg::new("porta")
                    .long("port")
                    .default_value("7667")
                    .help("A porta."),
            )
            .arg(Arg::new("alvo").help("O alvo."));
        let help = in_portuguese(command).render_help().to_string();
        for said in [
            "Uso: x",
            "Argumentos:",
            "Opções:",
            "A porta. [padrão: 7667]",
            "Mostra esta ajuda",
            "Mostra a versão",
        ] {
            assert!(help.contains(said), "{said:?} in:\n{help}");
        }
        for english in ["Usage:", "Options:", "Arguments:", "[default:"] {
            assert!(!help.contains(english), "{english:?} in:\n{help}");
        }
    }
}
