using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shepherd.Data;

namespace Shepherd.Operations.Backups;

/// <summary>Counts the rows of every table of the EF model over a plain connection: all organizations, no query filters.</summary>
public static class TableRowCounter
{
    public static IReadOnlyList<string> ModelTables(ShepherdDbContext db) =>
        [.. db.Model.GetEntityTypes().Select(t => t.GetTableName()).OfType<string>().Distinct().Order(StringComparer.Ordinal)];

    public static async Task<SortedDictionary<string, long>> CountAsync(
        DbConnection connection, DbTransaction? transaction, IEnumerable<string> tables, CancellationToken cancellationToken)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
#pragma warning disable CA2100 // table names come from the EF model (or a manifest checked against it), quoted
            command.CommandText = $"SELECT count(*) FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
#pragma warning restore CA2100
            counts[table] = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
        return counts;
    }
}
