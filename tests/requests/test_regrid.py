"""A building put in another grid takes its requests still being handled along."""

from __future__ import annotations

from django.test import Client

from linli.areas.models import Area
from linli.areas.services import building_assign_grid
from linli.areas.signals import building_regridded
from linli.requests.models import Request, RequestEvent
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import file_request, move, resolved


def _grid_of(request: Request) -> int | None:
    return Request.objects.get(pk=request.pk).grid_id


def test_open_requests_follow_their_building_to_its_new_grid(cast: Cast) -> None:
    open_one = file_request(cast)
    being_checked = resolved(cast)
    closed = move(resolved(cast), Status.CLOSED, cast.staff)
    elsewhere = file_request(cast, cast.unit2)
    assert {_grid_of(r) for r in (open_one, being_checked, closed)} == {cast.grid1.pk}

    building_assign_grid(actor=cast.staff, building=cast.building1, grid=cast.grid2)

    assert _grid_of(open_one) == cast.grid2.pk
    # Finished, resolved or closed: stays with the grid that handled it (the figures
    # counted it there).
    assert _grid_of(being_checked) == cast.grid1.pk
    assert _grid_of(closed) == cast.grid1.pk
    assert _grid_of(elsewhere) == cast.grid2.pk
    # The grid filter of the queue and the grid's figures read the column.
    in_grid2 = set(Request.objects.filter(grid=cast.grid2).values_list("pk", flat=True))
    assert in_grid2 == {open_one.pk, elsewhere.pk}
    # Still assigned to the worker who had it: the dispatcher decides who takes it.
    assert Request.objects.get(pk=open_one.pk).assignee == cast.worker1
    note = RequestEvent.objects.filter(request=open_one, kind=RequestEvent.Kind.COMMENT).get()
    assert note.note == "所在楼栋“1号楼”划入第2网格,诉求随之转入该网格。"
    assert note.actor == cast.staff
    assert not RequestEvent.objects.filter(request=closed, kind=RequestEvent.Kind.COMMENT)


def test_assigning_the_same_grid_again_tells_nobody(cast: Cast) -> None:
    request = file_request(cast)
    told: list[Area] = []

    def listen(sender: object, *, building: Area, **_: object) -> None:
        told.append(building)

    building_regridded.connect(listen, dispatch_uid="test-listen")
    try:
        building_assign_grid(actor=cast.staff, building=cast.building1, grid=cast.grid1)
        assert told == []
        building_assign_grid(actor=cast.staff, building=cast.building1, grid=cast.grid2)
        assert told == [cast.building1]
    finally:
        building_regridded.disconnect(dispatch_uid="test-listen")
    assert _grid_of(request) == cast.grid2.pk


def test_the_admins_building_form_moves_them_too(cast: Cast) -> None:
    request = file_request(cast)
    client = Client()
    client.force_login(cast.admin)
    building = Area.objects.get(pk=cast.building1.pk)
    response = client.post(
        f"/admin/areas/area/{building.pk}/change/",
        {
            "name": building.name,
            "code": building.code,
            "grid": cast.grid2.pk,
            "treebeard_position": "sorted-child",
            "treebeard_ref_node": cast.compound.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert Area.objects.get(pk=building.pk).grid_id == cast.grid2.pk
    assert _grid_of(request) == cast.grid2.pk
    note = RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.COMMENT).get()
    assert note.actor == cast.admin
