def test_start_page_lists_collectives(web, make):
    make.collective("Κοινωνικό Ιατρείο Test")
    page = web.text("/")
    assert "Κοινωνικό Ιατρείο Test" in page


def test_login_with_real_csrf(web, make):
    collective = make.collective()
    person = make.member(collective, "Maria")
    web.login(person)
    assert "Signed in as Maria" in web.text("/")


def test_forged_csrf_is_refused(web, make):
    person = make.member(make.collective(), "Maria")
    response = web.post("/login", {"name": person.display_name, "password": "x",
                                   "csrf_token": "forged"})
    assert response.status_code == 400
    assert "Signed in" not in web.text("/")
