namespace MetricPipeline.Cli.Simulation;

/// <summary>One simulated user: a stable id and the user-level properties (plan, country, platform…).</summary>
public sealed record SimulatedUser(string Id, Dictionary<string, string> Properties);

/// <summary>
/// A product's users, each with fixed properties and an activity weight
/// <c>w = LogNormal(0, 1) · Π activity[property][value]</c>; users are picked with probability
/// proportional to w (heavy users act often, most rarely), by binary search over the cumulative weights.
/// </summary>
public sealed class UserPool
{
    private readonly SimulatedUser[] _users;
    private readonly double[] _cumulative;

    public UserPool(ProductScenario product, int seed)
    {
        var random = new Random(seed);
        _users = new SimulatedUser[product.Users];
        _cumulative = new double[product.Users];
        var total = 0.0;
        for (var i = 0; i < product.Users; i++)
        {
            var properties = new Dictionary<string, string>(StringComparer.Ordinal);
            TelemetryGenerator.Draw(product.UserProperties, random, properties);
            var weight = Math.Exp(TelemetryGenerator.Gaussian(random));
            foreach (var (property, factors) in product.Activity)
            {
                if (properties.TryGetValue(property, out var value) && factors.TryGetValue(value, out var factor))
                {
                    weight *= factor;
                }
            }

            _users[i] = new SimulatedUser($"{product.Name}-u{i:D6}", properties);
            total += weight;
            _cumulative[i] = total;
        }
    }

    public IReadOnlyList<SimulatedUser> Users => _users;

    public SimulatedUser Pick(Random random)
    {
        var target = random.NextDouble() * _cumulative[^1];
        var index = Array.BinarySearch(_cumulative, target);
        index = index >= 0 ? index : ~index;
        return _users[Math.Min(index, _users.Length - 1)];
    }
}
