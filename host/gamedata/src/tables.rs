//! Reading the game's tables as CSV with a header row (the export format of
//! `../shared/gamedata/<build>/` and of the committed rows alike).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Why a table could not be read or a field not understood.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The file could not be opened or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The table's file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not well-formed CSV.
    #[error("{}: {source}", path.display())]
    Csv {
        /// The table's file.
        path: PathBuf,
        /// What the CSV reader said (it names the line).
        source: csv::Error,
    },
    /// The header has no column of this name.
    #[error("{}: no column `{column}`", path.display())]
    MissingColumn {
        /// The table's file.
        path: PathBuf,
        /// The column looked for.
        column: String,
    },
    /// A field does not hold what its column should.
    #[error("{}, line {line}, column `{column}`: {message}", path.display())]
    Field {
        /// The table's file.
        path: PathBuf,
        /// The line in the file (1 = the header).
        line: u64,
        /// The column.
        column: String,
        /// What is wrong.
        message: String,
    },
}

/// One table: its header and its rows, read whole.
#[derive(Debug)]
pub struct Table {
    path: PathBuf,
    columns: HashMap<String, usize>,
    rows: Vec<csv::StringRecord>,
}

impl Table {
    /// Reads the table in `path`.
    pub fn read(path: &Path) -> Result<Self, TableError> {
        let file = std::fs::File::open(path).map_err(|source| TableError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_reader(path, file)
    }

    /// Reads a table from `reader`; `path` names it in errors.
    pub fn from_reader(path: &Path, reader: impl std::io::Read) -> Result<Self, TableError> {
        let csv_error = |source| TableError::Csv {
            path: path.to_path_buf(),
            source,
        };
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(reader);
        let columns = csv
            .headers()
            .map_err(csv_error)?
            .iter()
            .enumerate()
            .map(|(i, name)| (name.to_string(), i))
            .collect();
        let rows = csv
            .records()
            .collect::<Result<Vec<_>, _>>()
            .map_err(csv_error)?;
        Ok(Self {
            path: path.to_path_buf(),
            columns,
            rows,
        })
    }

    /// The index of the column `name`.
    pub fn column(&self, name: &str) -> Result<Column, TableError> {
        self.columns
            .get(name)
            .map(|&index| Column {
                index,
                name: name.to_string(),
            })
            .ok_or_else(|| TableError::MissingColumn {
                path: self.path.clone(),
                column: name.to_string(),
            })
    }

    /// The rows, in file order.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(move |record| Row {
            table: self,
            record,
        })
    }
}

/// A column of a [`Table`], found by name.
#[derive(Debug, Clone)]
pub struct Column {
    index: usize,
    name: String,
}

/// One row of a [`Table`].
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    table: &'a Table,
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    /// The row's line in its file (1 = the header).
    pub fn line(&self) -> u64 {
        self.record.position().map_or(0, |p| p.line())
    }

    /// The field in `column` as text (empty when the row is short).
    pub fn text(&self, column: &Column) -> &str {
        self.record.get(column.index).unwrap_or("")
    }

    /// The field in `column` as a number.
    pub fn number<T: std::str::FromStr>(&self, column: &Column) -> Result<T, TableError>
    where
        T::Err: std::fmt::Display,
    {
        let text = self.text(column);
        text.parse().map_err(|e: T::Err| TableError::Field {
            path: self.table.path.clone(),
            line: self.line(),
            column: column.name.clone(),
            message: format!("`{text}` is not a number of this column's kind: {e}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str =
        "Name_lang,ID,Count\n\"Quoted, with comma\nand a line break\",7,3\nPlain,8,x\n";

    #[test]
    fn reads_quoted_fields_and_names_the_line_of_a_bad_number() {
        let table = Table::from_reader(Path::new("Sample.csv"), SAMPLE.as_bytes()).unwrap();
        let name = table.column("Name_lang").unwrap();
        let count = table.column("Count").unwrap();
        let rows: Vec<_> = table.rows().collect();
        assert_eq!(rows[0].text(&name), "Quoted, with comma\nand a line break");
        assert_eq!(rows[0].number::<u32>(&count).unwrap(), 3);
        let err = rows[1].number::<u32>(&count).unwrap_err().to_string();
        assert_eq!(
            err,
            "Sample.csv, line 4, column `Count`: `x` is not a number of this column's kind: invalid digit found in string"
        );
    }

    #[test]
    fn a_missing_column_is_named() {
        let table = Table::from_reader(Path::new("Sample.csv"), SAMPLE.as_bytes()).unwrap();
        let err = table.column("SpellID").unwrap_err().to_string();
        assert_eq!(err, "Sample.csv: no column `SpellID`");
    }
}
