using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;

namespace Shepherd.Operations.Backups;

/// <summary>Counts the rows of every table over a plain connection: all organizations, no query filters.</summary>
public static class TableRowCounter
{
    /// <summary>
    /// Every table in Shepherd's schema, as the database has it (not as this build's model has it): an older or newer
    /// schema's tables, and the migration histories, are counted too.
    /// </summary>
    public static async Task<IReadOnlyList<string>> TablesAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = connection is Microsoft.Data.Sqlite.SqliteConnection
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_'"
            : "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema()";
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tables.Add(reader.GetString(0));
        }
        return [.. tables.Order(StringComparer.Ordinal)];
    }

    public static async Task<SortedDictionary<string, long>> CountAsync(
        DbConnection connection, DbTransaction? transaction, IEnumerable<string> tables, CancellationToken cancellationToken)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
#pragma warning disable CA2100 // table names come from the database's catalog (or a manifest checked against it), quoted
            command.CommandText = $"SELECT count(*) FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
#pragma warning restore CA2100
            counts[table] = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
        return counts;
    }
}
