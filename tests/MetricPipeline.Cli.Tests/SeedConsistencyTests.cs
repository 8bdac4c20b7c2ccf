using MetricPipeline.Cli.Simulation;
using MetricPipeline.Registry;
using YamlDotNet.RepresentationModel;

namespace MetricPipeline.Cli.Tests;

/// <summary>The demo seeds fit together: the scenario produces what the registry measures, deployments name real metrics.</summary>
public class SeedConsistencyTests
{
    private static readonly RegistryDocument Registry = RegistryDocumentReader.ReadYaml(File.ReadAllText(SeedFiles.PathOf("metrics.yaml")));
    private static readonly Scenario Scenario = ScenarioReader.Read(File.ReadAllText(SeedFiles.PathOf("scenario.yaml")));

    [Fact]
    public void Every_event_metric_is_fed_by_the_scenario()
    {
        foreach (var metric in Registry.Metrics.Where(m => m.Kind != MetricKind.Ratio))
        {
            var product = Assert.Single(Scenario.Products, p => p.Name == metric.Product);
            var spec = product.Events.SingleOrDefault(e => e.Name == metric.Event);
            Assert.True(spec is not null, $"metric '{metric.Key}': scenario product '{metric.Product}' has no event '{metric.Event}'");

            var properties = product.UserProperties.Keys.Concat(product.EventProperties.Keys).Concat(spec.Properties.Keys).ToHashSet();
            foreach (var dimension in metric.Dimensions.Concat(metric.Filter.Keys))
            {
                Assert.True(properties.Contains(dimension), $"metric '{metric.Key}': the scenario never sets property '{dimension}' on '{metric.Event}'");
            }
        }
    }

    [Fact]
    public void Seed_deployments_name_registered_metrics_and_scenario_products()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(SeedFiles.PathOf("deployments.yaml"))));
        var deployments = (YamlSequenceNode)((YamlMappingNode)stream.Documents[0].RootNode)["deployments"];
        var keys = Registry.Metrics.Select(m => m.Key).ToHashSet();
        var products = Scenario.Products.Select(p => p.Name).ToHashSet();

        Assert.NotEmpty(deployments.Children);
        foreach (YamlMappingNode deployment in deployments.Children.Cast<YamlMappingNode>())
        {
            Assert.True(DateTimeOffset.TryParse(((YamlScalarNode)deployment["startedAt"]).Value, out _));
            Assert.All(((YamlSequenceNode)deployment["metrics"]).Children, m => Assert.Contains(((YamlScalarNode)m).Value!, keys));
            Assert.All(((YamlSequenceNode)deployment["products"]).Children, p => Assert.Contains(((YamlScalarNode)p).Value!, products));
        }
    }
}
