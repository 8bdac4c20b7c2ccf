using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace MetricPipeline.Cli.Simulation;

/// <summary>Reads and checks a scenario YAML; problems become a <see cref="ScenarioException"/> that says what to fix.</summary>
public static class ScenarioReader
{
    public static Scenario Read(string yaml)
    {
        var deserializer = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
        Scenario? scenario;
        try
        {
            scenario = deserializer.Deserialize<Scenario>(yaml);
        }
        catch (YamlException e)
        {
            var inner = e.InnerException?.Message ?? e.Message;
            throw new ScenarioException($"scenario line {e.Start.Line}: {inner}");
        }

        scenario ??= new Scenario();
        var errors = Check(scenario);
        return errors.Count == 0 ? scenario : throw new ScenarioException(string.Join("; ", errors));
    }

    private static List<string> Check(Scenario scenario)
    {
        var errors = new List<string>();
        if (scenario.Products.Count == 0)
        {
            errors.Add("scenario has no products");
        }

        if (scenario.Seasonality.Daily.Count is not (0 or 24))
        {
            errors.Add($"seasonality.daily needs 24 values (one per UTC hour), got {scenario.Seasonality.Daily.Count}");
        }

        if (scenario.Seasonality.Weekly.Count is not (0 or 7))
        {
            errors.Add($"seasonality.weekly needs 7 values (Monday first), got {scenario.Seasonality.Weekly.Count}");
        }

        if (scenario.Seasonality.Daily.Concat(scenario.Seasonality.Weekly).Any(v => !(v >= 0)) || scenario.Noise < 0)
        {
            errors.Add("seasonality values and noise must be non-negative");
        }

        foreach (var product in scenario.Products)
        {
            if (string.IsNullOrWhiteSpace(product.Name) || product.Users < 1)
            {
                errors.Add($"product '{product.Name}': needs a name and users >= 1");
            }

            var mixes = product.UserProperties.Concat(product.EventProperties).Concat(product.Events.SelectMany(e => e.Properties));
            foreach (var (property, weights) in mixes)
            {
                if (weights.Count == 0 || weights.Values.Any(w => !(w >= 0)) || weights.Values.Sum() <= 0)
                {
                    errors.Add($"product '{product.Name}', property '{property}': weights must be non-negative with a positive total");
                }
            }

            foreach (var e in product.Events.Where(e => string.IsNullOrWhiteSpace(e.Name) || !(e.PerHour >= 0)))
            {
                errors.Add($"product '{product.Name}', event '{e.Name}': needs a name and perHour >= 0");
            }
        }

        foreach (var effect in scenario.Effects)
        {
            var product = scenario.Products.FirstOrDefault(p => p.Name == effect.Product);
            if (effect.Product is not null && product is null)
            {
                errors.Add($"effect '{effect.Name}': unknown product '{effect.Product}'");
            }

            var events = (product is null ? scenario.Products : [product]).SelectMany(p => p.Events).Select(e => e.Name).ToHashSet();
            foreach (var name in effect.Rates.Keys.Concat(effect.Values.Keys).Where(n => !events.Contains(n)))
            {
                errors.Add($"effect '{effect.Name}': unknown event '{name}'");
            }

            if (effect.Rates.Values.Concat(effect.Values.Values).Any(m => !(m >= 0)))
            {
                errors.Add($"effect '{effect.Name}': multipliers must be non-negative");
            }
        }

        return errors;
    }
}

public sealed class ScenarioException : Exception
{
    public ScenarioException()
    {
    }

    public ScenarioException(string message)
        : base(message)
    {
    }

    public ScenarioException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
