//! clap's own words in Portuguese, for both binaries (behind the `cli` feature): the help's
//! headings and usage line, `-h` and `-V`, each default as `[padrão: …]`, and the errors for a
//! bad command line. The flags' own texts are the binaries' doc comments.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, ArgMatches, Command};

/// Parses the process's arguments with `command` (already [`in_portuguese`]): help and version
/// print and exit 0; a bad command line prints a Portuguese error with the usage and exits 2.
pub fn matches(command: Command) -> ArgMatches {
    let mut command = command;
    match command.try_get_matches_from_mut(std::env::args_os()) {
        Ok(matches) => matches,
        Err(err) => exit(&err, &mut command),
    }
}

/// Ends the process for `err`, in Portuguese (help and version as clap prints them).
pub fn exit(err: &clap::Error, command: &mut Command) -> ! {
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        err.exit()
    }
    eprintln!("{}", message(err, command));
    std::process::exit(2)
}

/// The error as people read it: what is wrong, the usage, where to look.
pub fn message(err: &clap::Error, command: &mut Command) -> String {
    let context = |kind| match err.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let arg = context(ContextKind::InvalidArg);
    let value = context(ContextKind::InvalidValue);
    let mut what = match err.kind() {
        ErrorKind::UnknownArgument => format!("argumento desconhecido: '{arg}'"),
        ErrorKind::InvalidValue if value.is_empty() => format!("falta o valor de {arg}"),
        ErrorKind::InvalidValue => {
            let valid = context(ContextKind::ValidValue);
            let mut m = format!("valor inválido '{value}' para {arg}");
            if !valid.is_empty() {
                m.push_str(&format!(" (valores aceitos: {valid})"));
            }
            m
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(err).map_or_else(String::new, |e| e.to_string());
            format!("valor inválido '{value}' para {arg}: {why}")
        }
        ErrorKind::MissingRequiredArgument => format!("falta o argumento obrigatório: {arg}"),
        ErrorKind::ArgumentConflict => {
            let prior = context(ContextKind::PriorArg);
            format!("{arg} não pode ser usado junto com {prior}")
        }
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            format!("número errado de valores para {arg}")
        }
        ErrorKind::InvalidUtf8 => "a linha de comando não é UTF-8 válido".to_owned(),
        _ => "linha de comando inválida".to_owned(),
    };
    let suggested = context(ContextKind::SuggestedArg);
    if !suggested.is_empty() {
        what.push_str(&format!("; quis dizer '{suggested}'?"));
    }
    let usage = command.render_usage().to_string();
    let usage = usage.trim().trim_start_matches("Usage:").trim();
    format!("erro: {what}\n\nUso: {usage}\n\nPara mais informações, use '--help'.")
}

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

    #[test]
    fn errors_are_in_portuguese() {
        let command = || {
            in_portuguese(
                Command::new("x")
                    .arg(Arg::new("port").long("port").value_parser(|v: &str| {
                        v.parse::<u16>().map_err(|_| "não é uma porta".to_owned())
                    }))
                    .arg(Arg::new("tls").long("tls").action(ArgAction::SetTrue)),
            )
        };
        for (args, said) in [
            (
                vec!["x", "--bogus"],
                "erro: argumento desconhecido: '--bogus'",
            ),
            (vec!["x", "--prot", "1"], "quis dizer '--port'?"),
            (
                vec!["x", "--port", "abc"],
                "erro: valor inválido 'abc' para --port <port>: não é uma porta",
            ),
            (vec!["x", "--port"], "erro: falta o valor de --port <port>"),
        ] {
            let mut c = command();
            let err = c.try_get_matches_from_mut(&args).expect_err("a bad line");
            let text = message(&err, &mut c);
            assert!(text.contains(said), "{args:?}: {text}");
            assert!(text.contains("Uso: x"), "{text}");
            for english in ["error:", "Usage:", "tip:", "found"] {
                assert!(!text.contains(english), "{english:?} in {text}");
            }
        }
    }
}
