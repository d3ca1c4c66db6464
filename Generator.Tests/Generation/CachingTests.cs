using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelGen.Generator;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Generation;

/// <summary>An edit that does not change a model must not re-emit it.</summary>
public class CachingTests
{
    [Fact]
    public void Unrelated_edit_leaves_the_model_pipeline_cached()
    {
        var compilation = GeneratorHarness.CreateCompilation(SnapshotTests.Classifier, "namespace Demo; public class Other { }");
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);

        // Edit an unrelated file, then run again on the new compilation.
        var otherTree = compilation.SyntaxTrees.ElementAt(1);
        var edited = compilation.ReplaceSyntaxTree(
            otherTree,
            CSharpSyntaxTree.ParseText("namespace Demo; public class Other { public int Added => 1; }", GeneratorHarness.ParseOptions, otherTree.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertAllCachedOrUnchanged(result, ModelGenerator.ModelSpecStep);
        AssertAllCachedOrUnchanged(result, ModelGenerator.DiagnosticsStep);
        Assert.All(result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void Editing_the_model_re_emits_it()
    {
        var compilation = GeneratorHarness.CreateCompilation(SnapshotTests.Classifier);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);

        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(
            tree,
            CSharpSyntaxTree.ParseText(SnapshotTests.Classifier.Replace("Dense(16", "Dense(17"), GeneratorHarness.ParseOptions, tree.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var reasons = result.TrackedSteps[ModelGenerator.ModelSpecStep].SelectMany(run => run.Outputs).Select(output => output.Reason);
        Assert.Contains(IncrementalStepRunReason.Modified, reasons);
        Assert.Contains("17", result.GeneratedSources.Single().SourceText.ToString());
    }

    private static void AssertAllCachedOrUnchanged(GeneratorRunResult result, string step)
    {
        var outputs = result.TrackedSteps[step].SelectMany(run => run.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, output => Assert.True(
            output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
            $"{step} was {output.Reason}"));
    }
}
