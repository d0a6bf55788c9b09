using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shepherd.Data;
using Shepherd.Data.Alerting;
using Shepherd.Data.Audit;
using Shepherd.Operations.Alerting;
using Shepherd.Tests.Infrastructure;

namespace Shepherd.Tests.Alerting;

/// <summary>
/// A Shepherd of its own (alert state is instance-wide) on the test's clock, with an injected fault: from
/// <see cref="FaultFrom"/> to <see cref="FaultUntil"/> every request under /api/v1/campuses answers 500. Traffic is sent
/// anonymously (401 outside the fault), and the evaluator is called by the test rather than by its timer.
/// </summary>
public static class AlertScenario
{
    /// <summary>A Sunday at noon UTC.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset FaultFrom = Start + TimeSpan.FromMinutes(1);

    public static async Task<AlertScenario<TApp>> StartAsync<TApp>(TimeSpan? faultFor = null, Action<ShepherdApp>? configure = null)
        where TApp : ShepherdApp, new()
    {
        var scenario = new AlertScenario<TApp>(new FakeTimeProvider(Start), FaultFrom + (faultFor ?? TimeSpan.FromHours(2)));
        await scenario.AddReplicaAsync(configure);
        return scenario;
    }
}

/// <inheritdoc cref="AlertScenario"/>
public sealed class AlertScenario<TApp> : IAsyncDisposable where TApp : ShepherdApp, new()
{
    private readonly List<TApp> _replicas = [];

    internal AlertScenario(FakeTimeProvider clock, DateTimeOffset faultUntil)
    {
        Clock = clock;
        FaultUntil = faultUntil;
    }

    public FakeTimeProvider Clock { get; }

    public DateTimeOffset FaultUntil { get; }

    public TApp App => _replicas[0];

    public IReadOnlyList<TApp> Replicas => _replicas;

    /// <summary>Steps deliver what they queue (the evaluator's whole tick) instead of only evaluating.</summary>
    public bool Deliver { get; set; }

    /// <summary>Another replica on the same database and the same clock.</summary>
    public async Task<TApp> AddReplicaAsync(Action<ShepherdApp>? configure = null)
    {
        var app = new TApp();
        app.With("Shepherd:Faults:Path", "/api/v1/campuses")
            .With("Shepherd:Faults:From", AlertScenario.FaultFrom.ToString("O", CultureInfo.InvariantCulture))
            .With("Shepherd:Faults:Until", FaultUntil.ToString("O", CultureInfo.InvariantCulture))
            .With("Shepherd:Mail:PublicUrl", "https://shepherd.example.org");
        if (_replicas.Count > 0)
        {
            foreach (var shared in new[] { "Shepherd:DataFolder", "ConnectionStrings:Shepherd" })
            {
                if (_replicas[0].Setting(shared) is { } value)
                {
                    app.With(shared, value);
                }
            }
        }
        app.ServiceOverrides = services => services.AddSingleton<TimeProvider>(Clock);
        configure?.Invoke(app);
        await app.InitializeAsync();
        _ = app.Server;
        _replicas.Add(app);
        return app;
    }

    public AlertEvaluator Evaluator(TApp? replica = null) => (replica ?? App).Services.GetRequiredService<AlertEvaluator>();

    /// <summary>Requests to the faulty path on every replica: 500 during the fault, 401 otherwise.</summary>
    public async Task TrafficAsync(int requestsPerReplica = 20)
    {
        foreach (var replica in _replicas)
        {
            using var http = replica.CreateClient();
            for (var i = 0; i < requestsPerReplica; i++)
            {
                using var response = await http.GetAsync(new Uri("/api/v1/campuses", UriKind.Relative));
            }
        }
    }

    /// <summary>Moves the clock on, sends traffic, and evaluates on every replica (the lease lets one of them act).</summary>
    public async Task<EvaluationResult> StepAsync(TimeSpan by)
    {
        Clock.Advance(by);
        await TrafficAsync();
        EvaluationResult? leader = null;
        foreach (var replica in _replicas)
        {
            var result = Deliver
                ? await Evaluator(replica).TickAsync(CancellationToken.None)
                : await Evaluator(replica).EvaluateAsync(CancellationToken.None);
            if (result.Leader)
            {
                leader = result;
            }
        }
        return leader ?? new EvaluationResult(false, 0, 0, 0, 0);
    }

    /// <summary>Steps of <paramref name="step"/> until <paramref name="until"/> on the clock.</summary>
    public async Task RunUntilAsync(DateTimeOffset until, TimeSpan step)
    {
        while (Clock.GetUtcNow() + step <= until)
        {
            await StepAsync(step);
        }
    }

    public ShepherdDbContext Database() => App.Services.GetRequiredService<ShepherdDbContextFactory>().Create(null, AuditActor.System);

    public async Task<AlertIncident?> IncidentAsync(string rule)
    {
        await using var db = Database();
        return await db.AlertIncidents.AsNoTracking().Where(i => i.RuleName == rule).OrderByDescending(i => i.Id).FirstOrDefaultAsync();
    }

    /// <summary>The notifications that name the rule, oldest first, with their channel.</summary>
    public async Task<List<AlertNotification>> NotificationsAsync(string rule)
    {
        await using var db = Database();
        return await db.AlertNotifications.AsNoTracking().Include(n => n.Channel).Include(n => n.Incidents)
            .Where(n => n.Incidents.Any(i => i.RuleName == rule)).OrderBy(n => n.Id).ToListAsync();
    }

    public async Task AddAsync(object row)
    {
        await using var db = Database();
        db.Add(row);
        await db.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in Enumerable.Reverse(_replicas))
        {
            await replica.DisposeAsync();
        }
    }
}
