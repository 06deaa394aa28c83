from __future__ import annotations

import json

from fengqiao.open311.tests.conftest import BASE, parse_xml
from fengqiao.taxonomy.models import Category


class TestServices:
    def test_json_lists_minor_categories_without_a_key(self, world, open311):
        response = open311.get(f"{BASE}/services.json")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        services = json.loads(response.content)
        by_code = {service["service_code"]: service for service in services}
        assert "M10" not in by_code
        wages = by_code["M10.01"]
        assert wages["service_name"] == "Unpaid wages of migrant workers"
        assert wages["group"] == "Labour disputes and wage arrears"
        assert wages["metadata"] is False
        assert wages["type"] == "realtime"
        assert "欠薪" in wages["keywords"].split(",")
        assert len(services) == Category.objects.filter(kind="minor", is_active=True).count()

    def test_names_follow_the_accept_language(self, world, open311):
        response = open311.get(f"{BASE}/services.json", HTTP_ACCEPT_LANGUAGE="zh-hans")
        wages = next(s for s in json.loads(response.content) if s["service_code"] == "M10.01")
        assert wages["service_name"] == "拖欠农民工工资"

    def test_xml_parses_and_carries_the_same_services(self, world, open311):
        response = open311.get(f"{BASE}/services.xml")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/xml")
        root = parse_xml(response.content)
        assert root.tag == "services"
        codes = [service.findtext("service_code") for service in root.findall("service")]
        assert "M10.01" in codes
        wages = root.findall("service")[codes.index("M10.01")]
        assert wages.findtext("metadata") == "false"
        assert wages.findtext("group") == "Labour disputes and wage arrears"

    def test_an_inactive_category_is_not_offered(self, world, open311):
        Category.objects.filter(code="M10.01").update(is_active=False)
        codes = [
            s["service_code"] for s in json.loads(open311.get(f"{BASE}/services.json").content)
        ]
        assert "M10.01" not in codes
        assert open311.get(f"{BASE}/services/M10.01.json").status_code == 404

    def test_definition_has_no_attributes(self, world, open311):
        response = open311.get(f"{BASE}/services/M10.01.json")
        assert response.status_code == 200
        assert json.loads(response.content) == {"service_code": "M10.01", "attributes": []}
        root = parse_xml(open311.get(f"{BASE}/services/M10.01.xml").content)
        assert root.tag == "service_definition"
        assert root.findtext("service_code") == "M10.01"
        assert root.find("attributes") is not None
        assert list(root.find("attributes")) == []

    def test_unknown_service_is_404_in_the_open311_error_format(self, world, open311):
        response = open311.get(f"{BASE}/services/X99.json")
        assert response.status_code == 404
        (error,) = json.loads(response.content)
        assert error["code"] == 404
        assert "X99" in error["description"]
        root = parse_xml(open311.get(f"{BASE}/services/X99.xml").content)
        assert root.tag == "errors"
        assert root.find("error").findtext("code") == "404"

    def test_wrong_method_is_405(self, world, open311):
        response = open311.post(f"{BASE}/services.json")
        assert response.status_code == 405
        assert response["Allow"] == "GET"
        assert json.loads(response.content)[0]["code"] == 405

    def test_other_formats_do_not_exist(self, world, open311):
        assert open311.get(f"{BASE}/services.yaml").status_code == 404
