import json

from fusionbox.cli.main import main
from fusionbox.registry import REGISTRIES
from fusionbox.utils import shared_data_root


def run_json(capsys, *argv):
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_list_json_maps_every_registry_to_sorted_names(capsys):
    contents = run_json(capsys, 'list', '--json')
    assert set(contents) == set(REGISTRIES)
    for names in contents.values():
        assert names == sorted(names)
    assert 'UNet' in contents['backbones']
    assert 'Regression' in contents['objectives']
    assert {'AllInOneFuser', 'FusionDataPreprocessor'} <= set(contents['models'])
    assert 'FusionMetric' in contents['metrics']
    assert {'MultiSourceFusionDataset', 'EmbeddedFusionDataset'} <= set(contents['datasets'])
    assert {'LoadMultiSourceImages', 'PackFusionInputs', 'DegradeSources'} <= set(
        contents['transforms']
    )
    assert 'FusionRunner' in contents['runners']
    assert 'FusedImageSaverHook' in contents['hooks']


def test_list_text_shows_counts(capsys):
    assert main(['list']) == 0
    out = capsys.readouterr().out
    assert 'backbones (' in out and '  UNet' in out


def test_info_reports_ops_plugins_and_shared_data(capsys):
    info = run_json(capsys, 'info', '--json')
    assert info['mmcv_ops'] is True
    assert info['packages']['mmengine'] == '0.10.7'
    assert info['plugins']['loaded'][0] == 'fusionbox.builtin'
    assert info['shared_data']['found'] == shared_data_root().is_dir()


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert 'usage: fusionbox' in capsys.readouterr().out
