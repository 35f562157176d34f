# Package marker: test modules of this folder get unique names under pytest.
