using MetricPipeline.Data.Alerts;
using MetricPipeline.Data.Entities;
using MetricPipeline.Detection;
using MetricPipeline.Registry;

namespace MetricPipeline.IntegrationTests.Detection;

/// <summary>The correlation window and scope rules, without servers.</summary>
public sealed class DeploymentCorrelationTests
{
    private static readonly DateTime ChangeAt = new(2026, 11, 15, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan Lag = TimeSpan.FromHours(6);
    private static readonly MetricDefinition Tasks = new() { Key = "tasks", Name = "Tasks", Product = "assistant", Parents = ["north_star"] };
    private static readonly HashSet<string> TasksScope = ["tasks", "north_star"];

    private static Deployment At(DateTime startedAt, string[]? products = null, string[]? metrics = null) => new()
    {
        Id = Guid.NewGuid(), Service = "svc", Version = "1", Kind = "model", StartedAt = startedAt,
        Products = products ?? ["assistant"], Metrics = metrics ?? [],
    };

    [Theory]
    [InlineData(-7 * 60, true, 420)]        // lag + one bucket before: the earliest start still named
    [InlineData(-7 * 60 - 1, false, 0)]     // a minute earlier: too early
    [InlineData(-40, true, 40)]
    [InlineData(0, true, 0)]
    [InlineData(59, true, 0)]               // inside the change's own bucket: lag 0
    [InlineData(119, true, 0)]              // inside the next bucket: the change point may be a bucket early
    [InlineData(120, false, 0)]             // later still: not a cause
    public void A_deployment_is_named_only_inside_the_lag_window_allowing_for_the_bucket(int minutesFromChange, bool named, int lag)
    {
        var deployment = At(ChangeAt.AddMinutes(minutesFromChange));

        var found = DeploymentCorrelation.Correlate([deployment], Tasks, TasksScope, ChangeAt, Hour, Lag);

        Assert.Equal(named, found.Count == 1);
        if (named)
        {
            Assert.Equal(lag, found[0].LagMinutes);
        }
    }

    [Fact]
    public void An_uncertain_onset_widens_the_window_to_its_interval()
    {
        // A small shift dated at 12:00 whose onset could be anywhere from 08:00 to 16:00: a deployment at 15:20 (40 min
        // before the latest onset) lines up; one at 18:00 still does not.
        var within = At(ChangeAt.AddHours(3).AddMinutes(20));
        var after = At(ChangeAt.AddHours(6));

        var found = DeploymentCorrelation.Correlate([within, after], Tasks, TasksScope, ChangeAt, Hour, Lag, OnsetInterval.Of(ChangeAt.AddHours(-4), ChangeAt.AddHours(4)));

        Assert.Equal(within.Id, Assert.Single(found).Id);
        Assert.Empty(DeploymentCorrelation.Correlate([within], Tasks, TasksScope, ChangeAt, Hour, Lag));
    }

    [Fact]
    public void Scope_is_the_metric_its_ancestors_or_its_product_and_an_unscoped_deployment_touches_everything()
    {
        var start = ChangeAt.AddMinutes(-30);
        Assert.True(DeploymentCorrelation.InScope(At(start, products: [], metrics: ["north_star"]), Tasks, TasksScope));
        Assert.True(DeploymentCorrelation.InScope(At(start, products: [], metrics: ["tasks"]), Tasks, TasksScope));
        Assert.True(DeploymentCorrelation.InScope(At(start, products: [], metrics: []), Tasks, TasksScope));
        Assert.False(DeploymentCorrelation.InScope(At(start, products: ["writer"], metrics: []), Tasks, TasksScope));
        Assert.False(DeploymentCorrelation.InScope(At(start, products: [], metrics: ["latency"]), Tasks, TasksScope));
    }

    [Fact]
    public void Named_deployments_are_ordered_by_lag()
    {
        var near = At(ChangeAt.AddMinutes(-10));
        var far = At(ChangeAt.AddHours(-5));

        var found = DeploymentCorrelation.Correlate([far, near], Tasks, TasksScope, ChangeAt, Hour, Lag);

        Assert.Equal([near.Id, far.Id], found.Select(d => d.Id));
    }

    [Theory]
    [InlineData(-40, -3, 3, 0)]       // 11:20: its next bucket, 12:00, is the best onset already
    [InlineData(-40 - 180, -4, 1, -3)] // 08:20 in an interval from 08:00: 09:00, the first bucket wholly after it
    [InlineData(-240, -4, 1, -4)]     // 08:00 sharp: that bucket is wholly after it
    [InlineData(-40 - 180, -2, 1, null)] // its buckets (08:00, 09:00) are before the interval: the best onset stands
    [InlineData(90, -1, 1, 1)]        // 13:30 (a change under way as it deployed): its own bucket, 13:00, nearer the best
    public void A_deployment_in_the_onsets_likelihood_interval_dates_the_change(int deployedMinutesFromChange, int earliest, int latest, int? datedHoursFromChange)
    {
        var deployment = At(ChangeAt.AddMinutes(deployedMinutesFromChange));
        var interval = OnsetInterval.Of(ChangeAt.AddHours(earliest), ChangeAt.AddHours(latest));

        var dated = DeploymentCorrelation.DeployedOnset([deployment], Tasks, TasksScope, ChangeAt, Grain.Hour, interval);

        Assert.Equal(datedHoursFromChange is { } h ? ChangeAt.AddHours(h) : null, dated);
    }

    [Fact]
    public void A_deployment_out_of_scope_does_not_date_a_change_and_the_nearest_of_two_does()
    {
        var interval = OnsetInterval.Of(ChangeAt.AddHours(-6), ChangeAt.AddHours(6));
        var elsewhere = At(ChangeAt.AddHours(-2).AddMinutes(-30), products: ["writer"]);
        Assert.Null(DeploymentCorrelation.DeployedOnset([elsewhere], Tasks, TasksScope, ChangeAt, Grain.Hour, interval));

        var far = At(ChangeAt.AddHours(-5).AddMinutes(-20));
        var near = At(ChangeAt.AddHours(2).AddMinutes(-20));
        Assert.Equal(ChangeAt.AddHours(1), DeploymentCorrelation.DeployedOnset([far, elsewhere, near], Tasks, TasksScope, ChangeAt, Grain.Hour, interval));
    }
}
