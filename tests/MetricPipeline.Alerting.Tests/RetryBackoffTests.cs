namespace MetricPipeline.Alerting.Tests;

public class RetryBackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Cap = TimeSpan.FromMinutes(10);

    [Theory]
    [InlineData(1, 1, 2)]
    [InlineData(2, 2, 4)]
    [InlineData(5, 16, 32)]
    [InlineData(9, 256, 512)]
    [InlineData(10, 300, 600)]
    [InlineData(40, 300, 600)]
    public void Delay_doubles_per_attempt_within_half_to_full_ceiling_and_is_capped(int attempt, double lowSeconds, double highSeconds)
    {
        Assert.Equal(lowSeconds, RetryBackoff.Delay(attempt, Base, Cap, 0).TotalSeconds, 9);
        Assert.Equal(highSeconds, RetryBackoff.Delay(attempt, Base, Cap, 1).TotalSeconds, 9);
        var mid = RetryBackoff.Delay(attempt, Base, Cap, 0.5).TotalSeconds;
        Assert.InRange(mid, lowSeconds, highSeconds);
    }
}
