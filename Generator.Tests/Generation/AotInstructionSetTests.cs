using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Generation;

/// <summary>MG0025: a project with a model that publishes with NativeAOT but sets no instruction set is warned once.</summary>
public class AotInstructionSetTests
{
    private const string Model = "using ModelGen; namespace N; [Model] [Input(2)] [Dense(1)] public partial class M { }";
    private const string TwoModels = Model + " [Model] [Input(3)] [Dense(2)] public partial class M2 { }";

    [Fact]
    public void PublishAotWithoutInstructionSetWarnsOnce()
    {
        var result = GeneratorHarness.Run(new Dictionary<string, string> { ["PublishAot"] = "true" }, TwoModels);
        result.AssertNoGeneratorException();
        var warning = Assert.Single(result.AllDiagnostics, d => d.Id == "MG0025");
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains("IlcInstructionSet", warning.GetMessage(), StringComparison.Ordinal);
        Assert.Equal(2, result.Sources.Length); // the models are still generated
    }

    [Theory]
    [InlineData("True", "native")]
    [InlineData("true", "x86-x64-v4")]
    [InlineData("false", "")]
    [InlineData("", "")]
    public void NoWarningWithAnInstructionSetOrWithoutAot(string publishAot, string instructionSet)
    {
        var result = GeneratorHarness.Run(new Dictionary<string, string> { ["PublishAot"] = publishAot, ["IlcInstructionSet"] = instructionSet }, Model);
        Assert.DoesNotContain(result.AllDiagnostics, d => d.Id == "MG0025");
    }

    [Fact]
    public void NoWarningWithoutBuildPropertiesOrWithoutAModel()
    {
        Assert.DoesNotContain(GeneratorHarness.Run(Model).AllDiagnostics, d => d.Id == "MG0025");
        var noModel = GeneratorHarness.Run(new Dictionary<string, string> { ["PublishAot"] = "true" }, "namespace N; public class C { }");
        Assert.DoesNotContain(noModel.AllDiagnostics, d => d.Id == "MG0025");
    }
}
