"""The demo logins (no Django import: `make run` prints them before Django starts)."""

DEMO_PASSWORD = "demo12345"  # nosec B105 (the documented demo login, demo data only)

# username, department, groups, title, display name; pmo is staff + superuser (admin access).
DEMO_USERS: list[dict] = [
    {"username": "pmo", "department": "pmo", "groups": ["pmo"], "title": "PMO经理",
     "first_name": "敏", "last_name": "周", "staff": True},
    {"username": "exec", "department": "business", "groups": ["executive"], "title": "总经理",
     "first_name": "国强", "last_name": "王"},
    {"username": "biz_lead", "department": "business",
     "groups": ["business_manager", "department_head"],
     "title": "业务总监", "first_name": "丽", "last_name": "陈"},
    {"username": "biz_pm", "department": "business", "groups": ["business_manager"],
     "title": "业务项目经理", "first_name": "伟", "last_name": "李"},
    {"username": "biz_pm2", "department": "business", "groups": ["business_manager"],
     "title": "业务项目经理", "first_name": "Emily", "last_name": "Zhang"},
    {"username": "eng_director", "department": "engineering",
     "groups": ["engineering_manager", "department_head"],
     "title": "工程总监", "first_name": "建华", "last_name": "刘"},
    {"username": "eng_pm", "department": "engineering", "groups": ["engineering_manager"],
     "title": "工程项目经理", "first_name": "强", "last_name": "赵"},
    {"username": "eng_pm2", "department": "engineering", "groups": ["engineering_manager"],
     "title": "工程项目经理", "first_name": "David", "last_name": "Sun"},
    {"username": "tech_lead", "department": "engineering", "groups": ["engineering_manager"],
     "title": "技术负责人", "first_name": "磊", "last_name": "吴"},
    {"username": "finance", "department": "finance", "groups": ["finance"], "title": "财务经理",
     "first_name": "芳", "last_name": "杨"},
]  # fmt: skip

# erp_id, name, contact
