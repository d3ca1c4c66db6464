namespace ModelGen.Tests.Models;

// MG0011 (dropout rate 0) is a warning; this project treats warnings as errors, so it builds only
// because the pragma silences the generator's diagnostic at its real location.
#pragma warning disable MG0011
[Model]
[Input(3)]
[Dropout(0)]
[Dense(2)]
public partial class PragmaSilencedModel
{
}
#pragma warning restore MG0011
