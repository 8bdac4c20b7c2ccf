using MetricPipeline.Data;
using MetricPipeline.Data.Entities;
using MetricPipeline.IntegrationTests.Infrastructure;
using MetricPipeline.Registry;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MetricPipeline.IntegrationTests.Alerting;

/// <summary>
/// A fresh database on the real PostgreSQL for the Slack outbox tests (no RabbitMQ needed),
/// migrated to the current schema and dropped at the end. <see cref="ResetAsync"/> empties it between tests.
/// </summary>
public sealed class AlertingDatabase : IAsyncLifetime
{
    private string adminConnectionString = "";

    public string Name { get; } = "mp_alerting_" + Guid.NewGuid().ToString("N")[..12];

    public string ConnectionString { get; private set; } = "";

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        adminConnectionString = (await TestServices.GetAsync()).Postgres;
        await using (var admin = new NpgsqlConnection(adminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = Name }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var db = NewContext();
        await db.Database.MigrateAsync();
    }

    public MetricPipelineDbContext NewContext() =>
        new(new DbContextOptionsBuilder<MetricPipelineDbContext>().UseNpgsql(DataSource).Options);

    public async Task ResetAsync()
    {
        await using var cmd = DataSource.CreateCommand("TRUNCATE alerts, alert_history, metrics, deployments");
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task AddMetricsAsync(params MetricDefinition[] metrics)
    {
        await using var db = NewContext();
        await new MetricStore(db).ApplyAsync(metrics, CancellationToken.None);
    }

    /// <summary>Stores a pending North-Star-style alert (changed by <paramref name="change"/>) and returns it.</summary>
    public async Task<Alert> AddAlertAsync(string metricKey, Action<Alert>? change = null)
    {
        var changeAt = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
        var alert = new Alert
        {
            Id = Guid.NewGuid(),
            Fingerprint = $"{metricKey}||{Guid.NewGuid():N}",
            MetricKey = metricKey,
            Segment = "",
            Kind = "level_shift",
            ChangeAt = changeAt,
            DetectedAt = changeAt.AddHours(2),
            Value = 852,
            Before = 1000,
            ExpectedLow = 950,
            ExpectedHigh = 1050,
            RelativeChange = -0.148,
            Direction = "bad",
            Deployments = """[{"id":"9a0e0c1d-0000-4000-8000-00000000000a","service":"ranker","version":"2.3.0","kind":"model","lagMinutes":40}]""",
            Status = "open",
            SlackState = "pending",
        };
        change?.Invoke(alert);
        await using var db = NewContext();
        db.Alerts.Add(alert);
        await db.SaveChangesAsync();
        return alert;
    }

    public async Task<Alert> ReadAlertAsync(Guid id)
    {
        await using var db = NewContext();
        return await db.Alerts.AsNoTracking().SingleAsync(a => a.Id == id);
    }

    public async Task<List<AlertHistory>> HistoryAsync(Guid id)
    {
        await using var db = NewContext();
        return await db.AlertHistory.AsNoTracking().Where(h => h.AlertId == id).OrderBy(h => h.Id).ToListAsync();
    }

    /// <summary>Polls until the alert's Slack state is <paramref name="state"/>; fails with the row's last error after <paramref name="timeout"/>.</summary>
    public async Task<Alert> WaitForStateAsync(Guid id, string state, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var alert = await ReadAlertAsync(id);
            if (alert.SlackState == state)
            {
                return alert;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"alert {id} is '{alert.SlackState}' after {timeout} (attempts {alert.SlackAttempts}, last error: {alert.SlackLastError}); expected '{state}'");
            }

            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await TestDatabases.DropAsync(adminConnectionString, Name);
    }
}
