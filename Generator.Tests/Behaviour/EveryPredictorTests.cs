using System.Reflection;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Behaviour;

/// <summary>
/// Every model class in this assembly that has a predictor: the predictor's copy (made without gradient buffers or
/// the seeded initialization) computes what the model computes for one example, whatever its layers.
/// </summary>
public sealed class EveryPredictorTests
{
    public static TheoryData<string> ModelsWithPredictors()
    {
        var data = new TheoryData<string>();
        foreach (var type in typeof(EveryPredictorTests).Assembly.GetTypes().Where(HasPredictor).OrderBy(type => type.FullName, StringComparer.Ordinal))
            data.Add(type.FullName!);
        return data;
    }

    [Theory]
    [MemberData(nameof(ModelsWithPredictors))]
    public void The_predictor_matches_the_model_and_holds_no_gradients(string typeName)
    {
        var type = typeof(EveryPredictorTests).Assembly.GetType(typeName)!;
        var model = (IModel)Activator.CreateInstance(type, 7)!;
        var predictor = type.GetMethod("CreatePredictor", Type.EmptyTypes)!.Invoke(model, null)!;
        int steps = Constant(type, "MaxSequenceLength") ?? 1, inputSize = model.InputSize * steps;
        int outputSize = model.OutputSize * (Constant(type, "OutputIsSequence") == 1 ? steps : 1);

        // 0s and 1s: valid token ids for an embedding, inputs like any other for the rest.
        var input = TestData.Uniform(inputSize, 31).Select(value => value > 0 ? 1f : 0f).ToArray();
        float[] expected = new float[outputSize], actual = new float[outputSize];
        Forward(model, input, expected);
        Forward(predictor, input, actual);
        for (var i = 0; i < outputSize; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"output {i}: {actual[i]:R} vs {expected[i]:R}");

        var copy = predictor.GetType().GetField("_model", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(predictor)!;
        Assert.Equal(0, ((AlignedBuffer)type.GetField("_gradients", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(copy)!).Length);
        Assert.Equal(model.Parameters.Length, model.Gradients.Length);
    }

    private static bool HasPredictor(Type type) =>
        typeof(IModel).IsAssignableFrom(type) && type.GetMethod("CreatePredictor", Type.EmptyTypes) is not null && type.GetConstructor([typeof(int)]) is not null;

    private static int? Constant(Type type, string name) => type.GetField(name) is { IsLiteral: true } field ? Convert.ToInt32(field.GetRawConstantValue()) : null;

    private static void Forward(object target, float[] input, float[] output) =>
        ((ForwardOne)Delegate.CreateDelegate(typeof(ForwardOne), target, target.GetType().GetMethod("Forward", [typeof(ReadOnlySpan<float>), typeof(Span<float>)])!))(input, output);

    private delegate void ForwardOne(ReadOnlySpan<float> input, Span<float> output);
}
