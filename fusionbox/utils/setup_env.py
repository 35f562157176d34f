"""Process set-up shared by the tools, the CLI and the tests."""

from mmengine.registry import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Load the plugins (built-in first) so that every registry is filled, route MMEngine's
    checkpoint loading through the safe loader, let configs inherit ``fusionbox::`` bases
    (:mod:`fusionbox.utils.config_scope`), and set the scope.

    Args:
        init_default_scope: make ``fusionbox`` the current MMEngine default scope.
            Defaults to True.
    """
    from fusionbox.plugins import get_plugin_manager
    from fusionbox.utils.checkpoint import install_mmengine_loader
    from fusionbox.utils.config_scope import install_config_scope

    install_mmengine_loader()  # MMEngine's own checkpoint loading is the safe one too
    install_config_scope()  # _base_ = ['fusionbox::...'] in configs outside the repository
    get_plugin_manager()
    if init_default_scope and DefaultScope.get_current_instance() is None:
        DefaultScope.get_instance('fusionbox', scope_name='fusionbox')
