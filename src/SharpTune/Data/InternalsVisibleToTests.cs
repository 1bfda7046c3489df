// The data tests drive the internal geometry and decoder directly (torchvision's functional API has no public
// counterpart here). The attribute allows duplicates, so other folders may declare it too.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("SharpTune.Tests")]
