using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Shouldly;

namespace Shepherd.Tests.Backups;

/// <summary>
/// A PostgreSQL 15 server of one test's own (the shared one of scripts/test cannot be restarted with other
/// settings): a data directory the test made or restored, started on a free loopback port with trust auth.
/// </summary>
public sealed class ThrowawayPostgresCluster(string dataDirectory)
{
    public const string Bin = "/usr/lib/postgresql/15/bin";

    public string DataDirectory { get; } = dataDirectory;

    public string LogFile => DataDirectory + ".log";

    public int Port { get; private set; }

    public bool Running { get; private set; }

    /// <summary>initdb, then <paramref name="settings"/> ("name = value" lines) appended to its postgresql.conf.</summary>
    public static async Task<ThrowawayPostgresCluster> InitAsync(string dataDirectory, IEnumerable<string> settings)
    {
        var init = await OsCommand.AsServerUserAsync(
            Path.Combine(Bin, "initdb"), "-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8");
        init.ExitCode.ShouldBe(0, init.ToString());
        await File.AppendAllLinesAsync(Path.Combine(dataDirectory, "postgresql.conf"), settings);
        return new ThrowawayPostgresCluster(dataDirectory);
    }

    /// <summary>Starts the server and waits until it accepts connections; a port taken in between is retried with another.</summary>
    public async Task StartAsync()
    {
        var last = "";
        for (var attempt = 0; attempt < 3; attempt++)
        {
            Port = FreeLoopbackPort();
            var start = await OsCommand.AsServerUserAsync(
                Path.Combine(Bin, "pg_ctl"), "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60",
                "-o", string.Create(CultureInfo.InvariantCulture, $"-p {Port} -c listen_addresses=127.0.0.1"), "start");
            if (start.ExitCode == 0)
            {
                Running = true;
                return;
            }
            last = start + "\n--- server log ---\n" + ReadLog();
            // A start that timed out may have left a server behind.
            await OsCommand.AsServerUserAsync(Path.Combine(Bin, "pg_ctl"), "-D", DataDirectory, "-m", "immediate", "-w", "stop");
        }
        throw new InvalidOperationException($"PostgreSQL in {DataDirectory} did not start: {last}");
    }

    public async Task StopAsync(string mode = "fast")
    {
        if (!Running)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        var stop = await OsCommand.AsServerUserAsync(Path.Combine(Bin, "pg_ctl"), "-D", DataDirectory, "-m", mode, "-w", "-t", "60", "stop");
        stop.ExitCode.ShouldBe(0, stop.ToString());
        Running = false;
    }

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Database = database,
            IncludeErrorDetail = true,
        }.ToString();

    public async Task<T> ScalarAsync<T>(string sql, string database = "postgres")
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql, string database = "postgres")
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public string ReadLog() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no log)";

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
