"""Names for generated data (no Django imports: the import benchmark's sheet writer uses them too)."""

# Common surnames (roughly by frequency) and characters of given names.
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬鹏辉建国文斌宇浩凯健俊帆帅旭宁婷雪琳"
         "晨欣怡梓涵子轩雨欢海波志成庆东晓春梅立新永利金凤德胜荣振家瑞祥福林树云飞龙宏亮佳鑫博睿思琪婉清淑珍")
ROADS = ("府前大街", "汇河大道", "双元大街", "银河路", "永兴路", "金鼎路", "新兴路", "艾山路", "文化路", "解放路",
         "和平路", "建设路", "人民路", "胜利街", "光明路", "幸福路")
