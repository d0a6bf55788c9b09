using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Storage;

namespace Shepherd.Operations.Migrations;

/// <summary>Data a `migrate down` step would destroy: which migration, and what (a table with its rows, a column with values).</summary>
public sealed record DataLoss(string Migration, string What);

/// <summary>
/// Looks at the operations that take migrations back and at the live data: dropping a table that has rows, or a column
/// that holds values, loses data; so may hand-written SQL that drops, deletes or truncates (it cannot be inspected).
/// Dropping an empty table or an index loses nothing.
/// </summary>
public static partial class DataLossCheck
{
    public static async Task<IReadOnlyList<DataLoss>> FindAsync(DbContext db, MigrationCatalog catalog, IEnumerable<string> reverting, CancellationToken cancellationToken)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var losses = new List<DataLoss>();
            foreach (var id in reverting)
            {
                foreach (var operation in catalog.DownOperationsOf(id))
                {
                    var loss = operation switch
                    {
                        DropTableOperation drop => await RowsAsync(connection, $"SELECT count(*) FROM {sql.DelimitIdentifier(drop.Name, drop.Schema)}", cancellationToken) is > 0 and var rows
                            ? $"drops table {drop.Name} with {rows:N0} row(s)"
                            : null,
                        DropColumnOperation drop => await RowsAsync(connection,
                                $"SELECT count(*) FROM {sql.DelimitIdentifier(drop.Table, drop.Schema)} WHERE {sql.DelimitIdentifier(drop.Name)} IS NOT NULL", cancellationToken) is > 0 and var rows
                            ? $"drops column {drop.Table}.{drop.Name}, which has values in {rows:N0} row(s)"
                            : null,
                        DeleteDataOperation delete => $"deletes rows from {delete.Table}",
                        SqlOperation raw when Destructive().IsMatch(raw.Sql) => $"runs SQL that may remove data: {Abbreviate(raw.Sql)}",
                        _ => null,
                    };
                    if (loss is not null)
                    {
                        losses.Add(new DataLoss(id, loss));
                    }
                }
            }
            return losses;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The count, or null when the table or column is not there (nothing to lose).</summary>
    private static async Task<long?> RowsAsync(DbConnection connection, string countSql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = countSql;
        try
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
        catch (DbException)
        {
            return null;
        }
    }

    private static string Abbreviate(string sql)
    {
        var line = string.Join(' ', sql.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length > 80 ? line[..80] + "..." : line;
    }

    [GeneratedRegex(@"\b(DROP|DELETE|TRUNCATE)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Destructive();
}
