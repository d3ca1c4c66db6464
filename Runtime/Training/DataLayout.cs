namespace ModelGen.Training;

/// <summary>How a data set's rows map onto a model's calls: widths, and the step count for a sequence model.</summary>
internal readonly record struct DataLayout(int InputWidth, int TargetWidth, int Steps, ISequenceModel? Sequence)
{
    /// <summary>Checks <paramref name="data"/> against <paramref name="model"/> and returns its layout.</summary>
    public static DataLayout Of(IModel model, TrainingData data, string paramName)
    {
        int inputWidth = data.InputWidth, targetWidth = data.TargetWidth;
        if (model is ISequenceModel sequence)
        {
            if (inputWidth % model.InputSize != 0 || inputWidth / model.InputSize > sequence.MaxSequenceLength)
            {
                throw new ArgumentException(
                    $"Each input row has {inputWidth} floats; a sequence of this model is 1 to {sequence.MaxSequenceLength} steps of {model.InputSize} floats.",
                    paramName);
            }

            int steps = inputWidth / model.InputSize;
            if (targetWidth != model.OutputSize && targetWidth != steps * model.OutputSize)
            {
                throw new ArgumentException(
                    $"Each target row has {targetWidth} floats; this model needs {model.OutputSize} (or {steps} × {model.OutputSize} when it returns sequences).",
                    paramName);
            }

            return new DataLayout(inputWidth, targetWidth, steps, sequence);
        }

        if (inputWidth != model.InputSize || targetWidth != model.OutputSize)
        {
            throw new ArgumentException(
                $"Each example has {inputWidth} input and {targetWidth} target floats; the model takes {model.InputSize} and produces {model.OutputSize}.",
                paramName);
        }

        return new DataLayout(inputWidth, targetWidth, 0, null);
    }
}
