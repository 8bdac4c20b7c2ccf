using MetricPipeline.Data;
using MetricPipeline.Detection;

namespace MetricPipeline.UnitTests;

/// <summary>How the workers' reports make the rollup's watermark, and how far a pass reads with it.</summary>
public sealed class RollupWatermarkTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_watermark_is_the_least_of_the_active_workers_and_ignores_stopped_and_gone_ones()
    {
        RollupWorkerReport[] workers =
        [
            new("idle", Now.AddSeconds(-5), Now.AddSeconds(-1), Stopped: false),
            new("busy", Now.AddMinutes(-12), Now.AddSeconds(-1), Stopped: false),
            new("stopped", Now.AddHours(-3), Now.AddHours(-3), Stopped: true),
            new("killed", Now.AddHours(-2), Now.AddHours(-2), Stopped: false),
        ];
        var watermark = RollupWatermark.Of(workers, Now);
        Assert.Equal(Now.AddMinutes(-12), watermark.CaughtUpTo);
        Assert.Equal(TimeSpan.FromMinutes(12), watermark.Lag(Now));
    }

    [Fact]
    public void With_no_worker_running_the_watermark_stays_where_the_last_one_left_it()
    {
        RollupWorkerReport[] workers =
        [
            new("stopped", Now.AddHours(-3), Now.AddHours(-3), Stopped: true),
            new("killed", Now.AddHours(-2), Now.AddHours(-2), Stopped: false),
        ];
        Assert.Equal(Now.AddHours(-2), RollupWatermark.Of(workers, Now).CaughtUpTo);
        Assert.Null(RollupWatermark.Of([], Now).CaughtUpTo);
        Assert.Equal(TimeSpan.Zero, RollupWatermark.Of([], Now).Lag(Now));
    }

    [Fact]
    public void A_pass_reads_up_to_the_earlier_of_its_time_and_the_watermark_less_the_settle_delay()
    {
        var settle = TimeSpan.FromMinutes(5);
        Assert.Equal(Now.AddMinutes(-5), PassWatermark.ReadThrough(Now, null, settle));
        Assert.Equal(Now.AddMinutes(-5), PassWatermark.ReadThrough(Now, Now.AddMinutes(1), settle));
        Assert.Equal(Now.AddMinutes(-95), PassWatermark.ReadThrough(Now, Now.AddMinutes(-90), settle));

        // A past pass (a replay) is not held back by a watermark that is ahead of it.
        Assert.Equal(Now.AddDays(-3).AddMinutes(-5), PassWatermark.ReadThrough(Now.AddDays(-3), Now.AddMinutes(-1), settle));
    }
}
