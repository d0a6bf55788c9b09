using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using NpgsqlTypes;
using Shepherd.Cli;
using Shepherd.Data;

namespace Shepherd.Features.Demo;

/// <summary>
/// Writes many rows fast, outside EF's change tracking and audit log: prepared INSERTs in batched transactions on
/// SQLite, binary COPY on PostgreSQL. Columns and value conversions come from the EF model, so rows are stored
/// exactly as EF would store them (enum names, DateTimeOffset as a number on SQLite, JSON lists, ...).
/// </summary>
public sealed class DemoDataWriter : IAsyncDisposable
{
    private readonly ShepherdDbContext _db;
    private readonly DbConnection _connection;
    private readonly IProviderStrategy _strategy;
    private readonly HashSet<string> _tablesWithExplicitIds = [];

    private DemoDataWriter(ShepherdDbContext db, DbConnection connection, IProviderStrategy strategy)
    {
        _db = db;
        _connection = connection;
        _strategy = strategy;
    }

    /// <summary>Rows written per table, in the order the tables were first written.</summary>
    public Dictionary<string, long> Counts { get; } = [];

    public static async Task<DemoDataWriter> OpenAsync(ShepherdDbContext db, DatabaseProvider provider, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        IProviderStrategy strategy = provider == DatabaseProvider.Postgres
            ? new PostgresCopy((NpgsqlConnection)connection)
            : new SqliteInserts((SqliteConnection)connection);
        await strategy.PrepareAsync(cancellationToken);
        return new DemoDataWriter(db, connection, strategy);
    }

    /// <summary>The highest id in a table (0 when empty), so rows can be given ids before they are written.</summary>
    public async Task<long> MaxIdAsync<T>(CancellationToken cancellationToken)
    {
        var table = TableOf<T>(explicitIds: true);
        await using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT COALESCE(MAX(id), 0) FROM \"{table.Name}\"";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <param name="explicitIds">Write the rows' own ids (assigned by the caller) instead of letting the database number them.</param>
    public async Task WriteAsync<T>(IEnumerable<T> rows, bool explicitIds, IProgressStep? progress, CancellationToken cancellationToken)
        where T : class
    {
        var table = TableOf<T>(explicitIds);
        if (explicitIds)
        {
            _tablesWithExplicitIds.Add(table.Name);
        }
        var written = await _strategy.WriteAsync(table, rows, progress, cancellationToken);
        Counts[table.Name] = Counts.GetValueOrDefault(table.Name) + written;
    }

    /// <summary>Moves identity sequences past the ids written explicitly (PostgreSQL; SQLite's rowids follow by themselves).</summary>
    public Task FinishAsync(CancellationToken cancellationToken) => _strategy.FinishAsync(_tablesWithExplicitIds, cancellationToken);

    public async ValueTask DisposeAsync() => await _db.Database.CloseConnectionAsync();

    private BulkTable TableOf<T>(bool explicitIds)
    {
        var entity = _db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var store = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var properties = entity.GetProperties()
            .Concat(entity.GetComplexProperties().SelectMany(c => c.ComplexType.GetProperties()))
            .Where(p => explicitIds || !p.IsPrimaryKey());
        var columns = properties.Select(p =>
        {
            var getter = p.GetGetter();
            var converter = p.GetTypeMapping().Converter;
            return new BulkColumn(
                p.GetColumnName(store) ?? p.GetColumnName(),
                row => getter.GetClrValueUsingContainingEntity(row) is { } value
                    ? converter is null ? value : converter.ConvertToProvider(value)
                    : null);
        }).ToList();
        return new BulkTable(store.Name, columns);
    }

    private sealed record BulkColumn(string Name, Func<object, object?> Read);

    private sealed record BulkTable(string Name, IReadOnlyList<BulkColumn> Columns)
    {
        public string ColumnList => string.Join(", ", Columns.Select(c => $"\"{c.Name}\""));
    }

    private interface IProviderStrategy
    {
        Task PrepareAsync(CancellationToken cancellationToken);

        Task<long> WriteAsync<T>(BulkTable table, IEnumerable<T> rows, IProgressStep? progress, CancellationToken cancellationToken)
            where T : class;

        Task FinishAsync(IReadOnlyCollection<string> tablesWithExplicitIds, CancellationToken cancellationToken);
    }

    /// <summary>One prepared INSERT reused for every row, committed every <see cref="BatchSize"/> rows.</summary>
    private sealed class SqliteInserts(SqliteConnection connection) : IProviderStrategy
    {
        private const int BatchSize = 250_000;

        public async Task PrepareAsync(CancellationToken cancellationToken)
        {
            // Bulk loading: a large page cache keeps the secondary indexes in memory while they grow. NORMAL is still
            // crash-safe in WAL mode (a power cut may lose the last batches, which a re-run writes again).
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA cache_size=-262144; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task<long> WriteAsync<T>(BulkTable table, IEnumerable<T> rows, IProgressStep? progress, CancellationToken cancellationToken)
            where T : class
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"INSERT INTO \"{table.Name}\" ({table.ColumnList}) VALUES ({string.Join(", ", table.Columns.Select((_, i) => $"$p{i}"))})";
            var parameters = table.Columns.Select((_, i) => command.Parameters.Add(new SqliteParameter($"$p{i}", null))).ToArray();
            long written = 0;
            var inBatch = 0;
            DbTransaction? transaction = null;
            try
            {
                foreach (var row in rows)
                {
                    if (transaction is null)
                    {
                        transaction = await connection.BeginTransactionAsync(cancellationToken);
                        command.Transaction = (SqliteTransaction)transaction;
                        command.Prepare();
                    }
                    for (var i = 0; i < parameters.Length; i++)
                    {
                        parameters[i].Value = table.Columns[i].Read(row) ?? DBNull.Value;
                    }
                    await command.ExecuteNonQueryAsync(cancellationToken);
                    written++;
                    if (++inBatch == BatchSize)
                    {
                        await transaction.CommitAsync(cancellationToken);
                        await transaction.DisposeAsync();
                        transaction = null;
                        progress?.Advance(inBatch);
                        inBatch = 0;
                    }
                }
                if (transaction is not null)
                {
                    await transaction.CommitAsync(cancellationToken);
                }
                progress?.Advance(inBatch);
                return written;
            }
            finally
            {
                if (transaction is not null)
                {
                    await transaction.DisposeAsync();
                }
            }
        }

        public Task FinishAsync(IReadOnlyCollection<string> tablesWithExplicitIds, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Binary COPY, the fastest way into PostgreSQL; one COPY per <see cref="BatchSize"/> rows so progress moves.</summary>
    private sealed class PostgresCopy(NpgsqlConnection connection) : IProviderStrategy
    {
        private const int BatchSize = 50_000;

        public Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task<long> WriteAsync<T>(BulkTable table, IEnumerable<T> rows, IProgressStep? progress, CancellationToken cancellationToken)
            where T : class
        {
            var copy = $"COPY \"{table.Name}\" ({table.ColumnList}) FROM STDIN (FORMAT BINARY)";
            long written = 0;
            using var enumerator = rows.GetEnumerator();
            var more = enumerator.MoveNext();
            while (more)
            {
                var inBatch = 0;
                await using (var importer = await connection.BeginBinaryImportAsync(copy, cancellationToken))
                {
                    while (more && inBatch < BatchSize)
                    {
                        await importer.StartRowAsync(cancellationToken);
                        foreach (var column in table.Columns)
                        {
                            await WriteValueAsync(importer, column.Read(enumerator.Current), cancellationToken);
                        }
                        inBatch++;
                        more = enumerator.MoveNext();
                    }
                    await importer.CompleteAsync(cancellationToken);
                }
                written += inBatch;
                progress?.Advance(inBatch);
            }
            return written;
        }

        public async Task FinishAsync(IReadOnlyCollection<string> tablesWithExplicitIds, CancellationToken cancellationToken)
        {
            foreach (var table in tablesWithExplicitIds)
            {
                await using var command = connection.CreateCommand();
                command.CommandText =
                    $"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT MAX(id) FROM \"{table}\"))";
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        private static Task WriteValueAsync(NpgsqlBinaryImporter importer, object? value, CancellationToken cancellationToken) => value switch
        {
            null => importer.WriteNullAsync(cancellationToken),
            long v => importer.WriteAsync(v, NpgsqlDbType.Bigint, cancellationToken),
            int v => importer.WriteAsync(v, NpgsqlDbType.Integer, cancellationToken),
            string v => importer.WriteAsync(v, NpgsqlDbType.Text, cancellationToken),
            bool v => importer.WriteAsync(v, NpgsqlDbType.Boolean, cancellationToken),
            DateTimeOffset v => importer.WriteAsync(v.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken),
            DateOnly v => importer.WriteAsync(v, NpgsqlDbType.Date, cancellationToken),
            TimeOnly v => importer.WriteAsync(v, NpgsqlDbType.Time, cancellationToken),
            List<string> v => importer.WriteAsync(v, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken),
            _ => throw new NotSupportedException($"Bulk writing {value.GetType().Name} values to PostgreSQL is not supported."),
        };
    }
}
