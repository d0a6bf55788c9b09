using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Shepherd.Operations.Backups;
using Shepherd.Operations.Migrations;
using Shepherd.Tests.Cli;

namespace Shepherd.Tests.Migrations;

/// <summary>
/// A text dump of a database — its schema as the catalog describes it, and every row of every table — to compare
/// "before" and "after". Shepherd's own migration history is left out: it records attempts, including failed ones.
/// </summary>
public static class DatabaseDump
{
    public static async Task<string> TakeAsync(CliDatabase db)
    {
        var dump = new StringBuilder();
        await using (var ctx = db.Context(null))
        {
            var connection = ctx.Database.GetDbConnection();
            await connection.OpenAsync();
            await AppendSchemaAsync(connection, dump);
            foreach (var table in await TableRowCounter.TablesAsync(connection, null, CancellationToken.None))
            {
                if (table != MigrationHistory.Table)
                {
                    await AppendRowsAsync(connection, table, dump);
                }
            }
        }
        // No pooled handle may outlive the dump: a `shepherd` process may replace the SQLite file next.
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        return dump.ToString();
    }

    private static async Task AppendSchemaAsync(DbConnection connection, StringBuilder dump)
    {
        var queries = connection is SqliteConnection
            ? [$"SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master WHERE name <> '{MigrationHistory.Table}' AND name <> 'sqlite_sequence'"]
            : new[]
            {
                "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, ''), coalesce(character_maximum_length, 0) " +
                $"FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> '{MigrationHistory.Table}'",
                $"SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename <> '{MigrationHistory.Table}'",
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c " +
                $"WHERE c.connamespace = current_schema()::regnamespace AND c.conrelid::regclass::text <> '{MigrationHistory.Table}'",
            };
        foreach (var query in queries)
        {
            foreach (var line in await LinesAsync(connection, query))
            {
                dump.AppendLine(line);
            }
        }
    }

    private static async Task AppendRowsAsync(DbConnection connection, string table, StringBuilder dump)
    {
        dump.AppendLine(CultureInfo.InvariantCulture, $"-- rows of {table}");
        foreach (var line in await LinesAsync(connection, $"SELECT * FROM \"{table}\""))
        {
            dump.AppendLine(line);
        }
    }

    /// <summary>Every row as one line, sorted: row order on disk is not part of the data.</summary>
    private static async Task<List<string>> LinesAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            var values = new object[reader.FieldCount];
            reader.GetValues(values);
            lines.Add(string.Join(" | ", values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))));
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
