using MetricPipeline.Data;
using MetricPipeline.Data.Alerts;
using MetricPipeline.Data.Entities;
using MetricPipeline.Detection;
using MetricPipeline.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MetricPipeline.IntegrationTests.Detection;

/// <summary>
/// <see cref="AlertLifecycle"/> on its own against the real PostgreSQL (a fresh database migrated by the project's
/// migrations): the decisions a detection pass asks it for, each pass on its own <see cref="MetricPipelineDbContext"/>
/// as the pass has. Each test uses its own metric, so they share the database without seeing each other.
/// </summary>
public sealed class AlertLifecycleStoreTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>, IAsyncLifetime
{
    /// <summary>The pass's same-shift tolerance for an hourly series (6 buckets).</summary>
    private static readonly TimeSpan Tolerance = TimeSpan.FromHours(6);

    private static readonly DateTime ChangeAt = new(2026, 11, 20, 9, 0, 0, DateTimeKind.Utc);

    private readonly PassClock clock = new(new DateTimeOffset(2026, 11, 22, 12, 5, 0, TimeSpan.Zero));

    public async Task InitializeAsync()
    {
        await using var db = Context();
        await db.Database.MigrateAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_repeated_finding_refreshes_the_one_alert_instead_of_opening_a_second()
    {
        const string metric = "repeat_ns";
        var opened = await PassAsync(Draft(metric, ChangeAt, -0.20));
        Assert.NotNull(opened.Opened);

        // The next passes see the same shift: sharper as the post window grows, then with its change point two buckets later.
        var sharper = await PassAsync(Draft(metric, ChangeAt, -0.26));
        var moved = await PassAsync(Draft(metric, ChangeAt.AddHours(2), -0.25));
        var unchanged = await PassAsync(Draft(metric, ChangeAt.AddHours(2), -0.25));

        Assert.Equal(opened.Opened!.Id, sharper.Existing?.Id);
        Assert.True(sharper.Refreshed);
        Assert.Equal(opened.Opened.Id, moved.Existing?.Id);
        Assert.True(moved.Refreshed);
        Assert.Equal(opened.Opened.Id, unchanged.Existing?.Id);
        Assert.False(unchanged.Refreshed);

        var alert = Assert.Single(await AlertsAsync(metric));
        Assert.Equal(AlertStatus.Open, alert.Status);
        Assert.Equal(-0.25, alert.RelativeChange, 6);
        Assert.Equal(new DateTimeOffset(ChangeAt, TimeSpan.Zero), alert.ChangeAt);
        Assert.Equal(["opened", "updated", "updated"], await HistoryAsync(alert.Id));
    }

    [Fact]
    public async Task A_later_pass_that_dates_the_shift_differently_moves_the_one_alert_to_its_onset_and_its_deployments()
    {
        const string metric = "redated_ns";
        var early = new DeploymentMatch(Guid.Parse("9a0e0c1d-0000-4000-8000-00000000000b"), "ranker", "2.2.0", 30, "model");
        var right = new DeploymentMatch(Guid.Parse("9a0e0c1d-0000-4000-8000-00000000000c"), "ranker", "2.3.0", 40, "model");
        var opened = (await PassAsync(Draft(metric, ChangeAt.AddHours(-2), -0.08) with { Deployments = [early] })).Opened!;

        // Hours later, with a day of data after the drop, the scan puts the onset two buckets later, where another
        // deployment lines up: the one alert now says so. The first estimate's fingerprint still finds it, and a pass
        // that does not re-date it (its onset at the edge of its window) leaves its date and deployment alone.
        var redated = await PassAsync(Draft(metric, ChangeAt, -0.08) with { Deployments = [right] }, redate: true);
        var again = await PassAsync(Draft(metric, ChangeAt.AddHours(-2), -0.08) with { Deployments = [early] });

        Assert.Equal(opened.Id, redated.Existing?.Id);
        Assert.True(redated.Refreshed);
        Assert.Equal(opened.Id, again.Existing?.Id);
        Assert.False(again.Refreshed);
        var alert = Assert.Single(await AlertsAsync(metric));
        Assert.Equal(new DateTimeOffset(ChangeAt, TimeSpan.Zero), alert.ChangeAt);
        Assert.Equal(opened.Fingerprint, alert.Fingerprint);
        Assert.Equal([right], AlertDetails.Of(alert).Deployments);
        await using var db = Context();
        var history = await db.AlertHistory.Where(h => h.AlertId == opened.Id).OrderBy(h => h.Id).ToListAsync();
        Assert.Equal(["opened", "updated"], history.Select(h => h.Event));
        Assert.EndsWith($"began {ChangeAt.AddHours(-2):u} → {ChangeAt:u}", history[1].Detail);
    }

    [Fact]
    public async Task A_deviation_that_grows_past_the_tolerance_is_the_same_alert_while_it_is_unresolved()
    {
        const string metric = "growing_ns";
        var opened = (await PassAsync(Draft(metric, ChangeAt, -0.15))).Opened!;

        // Ten buckets later (beyond the 6-bucket tolerance), ongoing since before the tested window's start: the same dip.
        var later = Draft(metric, ChangeAt.AddHours(10), -0.30) with { EndAt = ChangeAt.AddHours(27), Ongoing = true };
        var grown = await PassAsync(later, testedSince: ChangeAt.AddHours(-1));
        Assert.Equal(opened.Id, grown.Existing?.Id);

        // A window that starts after the alert's change (and its tolerance) does not reach back to it: a new shift.
        var fresh = await PassAsync(later, testedSince: ChangeAt.AddHours(8));
        Assert.Null(fresh.Existing);
        Assert.NotNull(fresh.Opened);
        Assert.Equal(2, (await AlertsAsync(metric)).Count);
    }

    [Fact]
    public async Task A_recovered_series_resolves_its_alert_and_the_alerts_attached_to_it()
    {
        const string metric = "recover_ns";
        var drop = (await PassAsync(Draft(metric, ChangeAt, -0.20))).Opened!;
        Guid child;
        await using (var db = Context())
        {
            child = (await new AlertLifecycle(db, clock).OpenAsync(Draft(metric, ChangeAt, -0.22, "plan=free"), drop.Id, CancellationToken.None)).Id;
        }

        // +10 % after -20 % leaves the level 12 % down: not back (half the 10 % threshold is the margin).
        await using (var db = Context())
        {
            Assert.Null(await new AlertLifecycle(db, clock).FindRecoveredAsync(Draft(metric, ChangeAt.AddHours(30), 0.10), 0.10, CancellationToken.None));
        }

        // +25 % after -20 % is the old level again: the drop's recovery, which resolves it and the alert attached to it.
        clock.Advance(TimeSpan.FromHours(1));
        var recovery = Draft(metric, ChangeAt.AddHours(30), 0.25);
        var back = await PassAsync(recovery);
        Assert.Equal(drop.Id, back.Recovered?.Id);
        Assert.True(back.Resolved);
        Assert.Null(back.Opened);

        var alerts = await AlertsAsync(metric);
        Assert.Equal(2, alerts.Count);
        Assert.All(alerts, a => Assert.Equal(AlertStatus.Resolved, a.Status));
        Assert.All(alerts, a => Assert.Equal(clock.GetUtcNow(), a.ResolvedAt));
        Assert.Equal(["opened", "resolved"], await HistoryAsync(drop.Id));
        Assert.Equal(["opened", "resolved"], await HistoryAsync(child));

        // The next pass sees the same recovery (it is still in its window): still the drop's recovery, not a new alert.
        // The same drop seen again does not reopen or refresh it; a second resolve does nothing.
        clock.Advance(TimeSpan.FromMinutes(5));
        var again = await PassAsync(recovery);
        Assert.Null(again.Opened);
        Assert.False(again.Resolved);
        var repeated = await PassAsync(Draft(metric, ChangeAt, -0.20));
        Assert.Equal(drop.Id, repeated.Existing?.Id);
        Assert.False(repeated.Refreshed);
        Assert.False(await ResolveAsync(drop.Id, "again"));

        Assert.Equal(2, (await AlertsAsync(metric)).Count);
        Assert.Equal(["opened", "resolved"], await HistoryAsync(drop.Id));
    }

    [Fact]
    public async Task A_rise_after_the_drop_was_resolved_is_a_new_alert()
    {
        const string metric = "rebound_ns";
        var drop = (await PassAsync(Draft(metric, ChangeAt, -0.20))).Opened!;
        Assert.True(await ResolveAsync(drop.Id, "back in range"));

        // A +25 % change that begins after the drop was resolved undoes nothing that was still open: it is news.
        var rise = await PassAsync(Draft(metric, clock.GetUtcNow().UtcDateTime.AddHours(2), 0.25));
        Assert.Null(rise.Recovered);
        Assert.NotNull(rise.Opened);
        Assert.Equal(2, (await AlertsAsync(metric)).Count);
    }

    [Fact]
    public async Task A_finding_of_the_opposite_sign_opens_a_new_alert()
    {
        const string metric = "flip_ns";
        var drop = (await PassAsync(Draft(metric, ChangeAt, -0.20))).Opened!;

        // Three buckets later (inside the tolerance) the series jumps 60 %: far past its old level, so neither the drop
        // seen again nor its recovery, but a rise of its own.
        var rise = await PassAsync(Draft(metric, ChangeAt.AddHours(3), 0.60), minRelativeChange: 0.10);
        Assert.Null(rise.Existing);
        Assert.Null(rise.Recovered);
        Assert.NotNull(rise.Opened);
        Assert.NotEqual(drop.Id, rise.Opened!.Id);

        var alerts = await AlertsAsync(metric);
        Assert.Equal(2, alerts.Count);
        Assert.All(alerts, a => Assert.Equal(AlertStatus.Open, a.Status));
        Assert.Equal([-0.20, 0.60], alerts.OrderBy(a => a.ChangeAt).Select(a => a.RelativeChange));
    }

    [Fact]
    public async Task Two_passes_opening_the_same_shift_at_once_store_one_alert()
    {
        const string metric = "race_ns";
        var draft = Draft(metric, ChangeAt, -0.20);
        await using var first = Context();
        await using var second = Context();
        var a = new AlertLifecycle(first, clock);
        var b = new AlertLifecycle(second, clock);
        Assert.Null(await a.FindExistingAsync(draft, Tolerance, ChangeAt.AddDays(-1), CancellationToken.None));
        Assert.Null(await b.FindExistingAsync(draft, Tolerance, ChangeAt.AddDays(-1), CancellationToken.None));

        var one = await a.OpenAsync(draft, null, CancellationToken.None);
        var other = await b.OpenAsync(draft, null, CancellationToken.None);

        Assert.Equal(one.Id, other.Id);
        Assert.Single(await AlertsAsync(metric));
        Assert.Equal(["opened"], await HistoryAsync(one.Id));
    }

    [Fact]
    public async Task An_alerts_typed_parts_come_back_from_postgres_as_written_and_an_unchanged_pass_leaves_them_alone()
    {
        const string metric = "parts_ns";
        var deployment = new DeploymentMatch(Guid.Parse("9a0e0c1d-0000-4000-8000-00000000000a"), "ranker", "2.3.0", 40, "model");
        var contributors = new AlertContributors(
            [new ChildContribution("messages_sent", -0.0823456789)],
            [new SegmentContribution("plan=free", 0.7212345678, -0.2012345678), new SegmentContribution("country=US", 0.18, -0.05)]);
        var draft = Draft(metric, ChangeAt, -0.20) with
        {
            Deployments = [deployment],
            Effect = new EffectInterval(-0.1212345678, -0.1512345678, -0.0898765432),
            Contributors = contributors,
            Onset = OnsetInterval.Of(ChangeAt.AddHours(-2), ChangeAt.AddHours(1)),
        };

        var opened = (await PassAsync(draft)).Opened!;
        var again = await PassAsync(draft);

        var stored = AlertDetails.Of(Assert.Single(await AlertsAsync(metric)));
        Assert.Equal([deployment], stored.Deployments);
        Assert.Equal(new EffectInterval(-0.121235, -0.151235, -0.089877), stored.Effect);
        Assert.Equal(
            new AlertContributors([new ChildContribution("messages_sent", -0.082346)], [new SegmentContribution("plan=free", 0.721235, -0.201235), new SegmentContribution("country=US", 0.18, -0.05)]),
            stored.Contributors);
        Assert.Equal(new OnsetInterval(new DateTimeOffset(ChangeAt.AddHours(-2)), new DateTimeOffset(ChangeAt.AddHours(1))), stored.Onset);
        Assert.Equal(opened.Id, again.Existing?.Id);
        Assert.False(again.Refreshed);
        Assert.Equal(["opened"], await HistoryAsync(opened.Id));
    }

    /// <summary>
    /// What a pass does with one draft (DetectionPass's order): the alert it already is gets refreshed; else the
    /// earlier alert it undoes gets resolved; else it opens. Returns what each step found.
    /// </summary>
    private async Task<PassOutcome> PassAsync(AlertDraft draft, DateTime? testedSince = null, double minRelativeChange = 0.10, bool redate = false)
    {
        await using var db = Context();
        var lifecycle = new AlertLifecycle(db, clock);
        var ct = CancellationToken.None;
        if (await lifecycle.FindExistingAsync(draft, Tolerance, testedSince ?? draft.ChangeAt.AddDays(-1), ct) is { } existing)
        {
            return new PassOutcome(existing, await lifecycle.RefreshAsync(existing, draft, ct, redate), null, false, null);
        }

        if (await lifecycle.FindRecoveredAsync(draft, minRelativeChange, ct) is { } recovered)
        {
            return new PassOutcome(null, false, recovered, await lifecycle.ResolveAsync(recovered, "recovered", ct), null);
        }

        return new PassOutcome(null, false, null, false, await lifecycle.OpenAsync(draft, null, ct));
    }

    /// <summary>Resolves the stored alert <paramref name="id"/> as the pass does when a series is back in range.</summary>
    private async Task<bool> ResolveAsync(Guid id, string detail)
    {
        await using var db = Context();
        var stored = await db.Alerts.SingleAsync(a => a.Id == id);
        return await new AlertLifecycle(db, clock).ResolveAsync(stored, detail, CancellationToken.None);
    }

    private async Task<List<Alert>> AlertsAsync(string metric)
    {
        await using var db = Context();
        return await db.Alerts.AsNoTracking().Where(a => a.MetricKey == metric).ToListAsync();
    }

    private async Task<List<string>> HistoryAsync(Guid alert)
    {
        await using var db = Context();
        return await db.AlertHistory.Where(h => h.AlertId == alert).OrderBy(h => h.Id).Select(h => h.Event).ToListAsync();
    }

    private MetricPipelineDbContext Context() =>
        new(new DbContextOptionsBuilder<MetricPipelineDbContext>().UseNpgsql(environment.PostgresConnectionString).Options);

    private static AlertDraft Draft(string metric, DateTime changeAt, double relativeChange, string segment = "") =>
        new(metric, segment, "level_shift", changeAt, Value: 1000 * (1 + relativeChange), Before: 1000, ExpectedLow: 950, ExpectedHigh: 1050,
            relativeChange, relativeChange < 0 ? "bad" : "good", Score: 8, Deployments: [], Effect: null, AlertContributors.None)
        {
            EndAt = changeAt.AddHours(3),
        };

    private sealed record PassOutcome(Alert? Existing, bool Refreshed, Alert? Recovered, bool Resolved, Alert? Opened);

    /// <summary>The pass's clock, moved by the test.</summary>
    private sealed class PassClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset now = start;

        public void Advance(TimeSpan by) => now += by;

        public override DateTimeOffset GetUtcNow() => now;
    }
}
